"""CloudWatch: what an alarm on metric math may hold."""
from __future__ import annotations

from preflight.model import cites, found
from preview.plan import Plan

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
MAX_METRICS = 10  # a hard limit, not a quota
MAX_EXPRESSIONS = 10


@cites("https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-limits.html")
def metric_math_alarm_limits(plan: Plan) -> list:
    """At most 10 metrics and 10 expressions (PutMetricAlarm's Metrics), exactly one of which
    returns the data the alarm watches."""
    findings = []
    for alarm in plan.of_type(ALARM):
        queries = alarm.inputs.get("metricQueries") or []
        if not queries:
            continue
        metrics = sum(1 for q in queries if q.get("metric"))
        expressions = sum(1 for q in queries if q.get("expression"))
        returned = sum(1 for q in queries if q.get("returnData"))
        if metrics > MAX_METRICS:
            findings.append(found(metric_math_alarm_limits, alarm,
                                  f"{metrics} metrics; allowed: at most {MAX_METRICS}"))
        if expressions > MAX_EXPRESSIONS:
            findings.append(found(metric_math_alarm_limits, alarm,
                                  f"{expressions} expressions; allowed: at most {MAX_EXPRESSIONS}"))
        if returned != 1:
            findings.append(found(metric_math_alarm_limits, alarm,
                                  f"{returned} queries return data; allowed: exactly one"))
    return findings


RULES = [metric_math_alarm_limits]
