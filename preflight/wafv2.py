"""WAFv2: where a web ACL may send its request logs."""
from __future__ import annotations

from preflight.model import cites, found, known
from preview.plan import Plan

LOGGING = "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration"
DESTINATION_PREFIX = "aws-waf-logs-"


def destination_name(arn: str) -> str:
    """The log group, bucket or delivery stream an ARN names."""
    for marker in (":log-group:", ":::", ":deliverystream/"):
        if marker in arn:
            return arn.split(marker, 1)[1].split(":", 1)[0]
    return arn.rsplit(":", 1)[-1]


def arn_region(arn: str) -> str:
    return arn.split(":")[3] if arn.count(":") >= 5 else ""


@cites("https://docs.aws.amazon.com/waf/latest/APIReference/API_LoggingConfiguration.html")
def waf_log_destinations(plan: Plan) -> list:
    """A destination's name starts with aws-waf-logs-; a log group or stream lives in the web
    ACL's region (us-east-1 for CloudFront's)."""
    findings = []
    for logging in plan.of_type(LOGGING):
        acl = logging.inputs.get("resourceArn")
        for arn in logging.inputs.get("logDestinationConfigs") or []:
            if not (known(arn) and known(acl)):
                continue
            name = destination_name(arn)
            if not name.startswith(DESTINATION_PREFIX):
                findings.append(found(waf_log_destinations, logging, f"destination {name!r} does "
                                      f"not start with {DESTINATION_PREFIX}"))
            if arn_region(arn) and arn_region(arn) != arn_region(acl):
                findings.append(found(waf_log_destinations, logging, f"destination {arn} is in "
                                      f"{arn_region(arn)}, the web ACL in {arn_region(acl)}"))
    return findings


RULES = [waf_log_destinations]
