"""Audit logging: load balancers, CloudFront and WAF keep a record of the requests they served."""
from __future__ import annotations

from pulumi_policy import ReportViolation, ResourceValidationArgs, Severity, StackValidationArgs

from policies import _aws as aws
from policies._policy import ADVISORY, applies_to, resource_policy, stack_policy
from policies._props import UNKNOWN, is_true, known, present
from policies._refs import unattached


@applies_to(*aws.LOAD_BALANCERS)
def alb_access_logs(args: ResourceValidationArgs, report: ReportViolation) -> None:
    enabled, bucket = known(args.props, "accessLogs", "enabled"), known(args.props, "accessLogs", "bucket")
    if enabled is not UNKNOWN and not is_true(enabled):
        report("accessLogs.enabled is not true")
    elif bucket is not UNKNOWN and not present(bucket):
        report("accessLogs.bucket is not set")


@applies_to(aws.DISTRIBUTION)
def cloudfront_access_logging(args: ResourceValidationArgs, report: ReportViolation) -> None:
    bucket = known(args.props, "loggingConfig", "bucket")
    if bucket is not UNKNOWN and not present(bucket):
        report("loggingConfig.bucket is not set")


def waf_logging(args: StackValidationArgs, report: ReportViolation) -> None:
    for acl in unattached(args.resources, (aws.WEB_ACL,), (aws.WEB_ACL_LOGGING,), "resourceArn", ("arn", "id")):
        report("no aws.wafv2.WebAclLoggingConfiguration logs this web ACL", acl.urn)


POLICIES = [
    resource_policy(
        "alb-access-logs",
        "Load balancers must write access logs: access_logs={'enabled': True, 'bucket': <a logs "
        "bucket whose policy admits the region's ELB log delivery>, 'prefix': ...}.",
        alb_access_logs, severity=Severity.MEDIUM),
    resource_policy(
        "cloudfront-access-logging",
        "Distributions should log requests: logging_config={'bucket': '<logs bucket>.s3.amazonaws.com', "
        "'prefix': ...} (the bucket needs ACLs enabled for the log delivery account), or standard "
        "logging v2 to CloudWatch Logs.",
        cloudfront_access_logging, level=ADVISORY, severity=Severity.MEDIUM),
    stack_policy(
        "waf-logging",
        "Web ACLs should log the requests they inspect: add an aws.wafv2.WebAclLoggingConfiguration "
        "with resource_arn=<web ACL ARN> and a destination (a log group named aws-waf-logs-*).",
        waf_logging, level=ADVISORY, severity=Severity.MEDIUM),
]
