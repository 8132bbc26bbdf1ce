"""CodeDeploy: a deployment that fails, or trips an alarm, rolls itself back."""
from __future__ import annotations

from pulumi_policy import ReportViolation, ResourceValidationArgs, Severity

from policies import _aws as aws
from policies._policy import applies_to, resource_policy
from policies._props import UNKNOWN, is_true, known, known_elements

ROLLBACK_EVENTS = ("DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM")


def _rollback_problems(props) -> list[str]:
    problems = []
    enabled = known(props, "autoRollbackConfiguration", "enabled")
    if enabled is not UNKNOWN and not is_true(enabled):
        problems.append("autoRollbackConfiguration.enabled is not true")
    events = known_elements(props, "autoRollbackConfiguration", "events")
    if known(props, "autoRollbackConfiguration", "events") is not UNKNOWN and UNKNOWN not in events:
        missing = [event for event in ROLLBACK_EVENTS if event not in events]
        if missing:
            problems.append(f"autoRollbackConfiguration.events lacks {', '.join(missing)}")
    return problems


def _alarm_problems(props) -> list[str]:
    problems = []
    enabled = known(props, "alarmConfiguration", "enabled")
    if enabled is not UNKNOWN and not is_true(enabled):
        problems.append("alarmConfiguration.enabled is not true")
    if known(props, "alarmConfiguration", "alarms") is not UNKNOWN and not known_elements(
            props, "alarmConfiguration", "alarms"):
        problems.append("alarmConfiguration.alarms is empty")
    return problems


@applies_to(aws.CODEDEPLOY_DEPLOYMENT_GROUP)
def codedeploy_auto_rollback(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for problem in _rollback_problems(args.props) + _alarm_problems(args.props):
        report(problem)


POLICIES = [
    resource_policy(
        "codedeploy-auto-rollback",
        "CodeDeploy deployment groups must roll back by themselves: auto_rollback_configuration="
        "{'enabled': True, 'events': ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_ALARM']} and "
        "alarm_configuration={'enabled': True, 'alarms': [<the alarms that watch the new version>]}.",
        codedeploy_auto_rollback, severity=Severity.MEDIUM),
]
