"""RDS Proxy: clients connect over TLS and authenticate with IAM, not a shared password."""
from __future__ import annotations

from pulumi_policy import ReportViolation, ResourceValidationArgs

from policies import _aws as aws
from policies._policy import applies_to, resource_policy
from policies._props import UNKNOWN, is_true, known, known_elements

IAM_AUTH_SCHEME = "IAM_AUTH"  # end-to-end IAM: no auths, no secret (CreateDBProxy DefaultAuthScheme)


@applies_to(aws.RDS_PROXY)
def rds_proxy_requires_tls(args: ResourceValidationArgs, report: ReportViolation) -> None:
    required = known(args.props, "requireTls")
    if required is not UNKNOWN and not is_true(required):
        report("requireTls is not true")


@applies_to(aws.RDS_PROXY)
def rds_proxy_iam_auth(args: ResourceValidationArgs, report: ReportViolation) -> None:
    scheme = known(args.props, "defaultAuthScheme")
    if scheme in (UNKNOWN, IAM_AUTH_SCHEME):
        return
    auths = known_elements(args.props, "auths")
    if not auths and known(args.props, "auths") is not UNKNOWN:
        report("neither defaultAuthScheme IAM_AUTH nor an auths entry with iamAuth REQUIRED")
    for index, auth in enumerate(auths):
        mode = known(auth, "iamAuth") if auth is not UNKNOWN else UNKNOWN
        if mode is not UNKNOWN and mode != "REQUIRED":
            report(f"auths[{index}].iamAuth is {mode if isinstance(mode, str) else 'unset (DISABLED)'}")


POLICIES = [
    resource_policy(
        "rds-proxy-requires-tls",
        "RDS proxies must refuse unencrypted connections: require_tls=True (clients connect with "
        "sslmode=verify-full and the Amazon root CA).",
        rds_proxy_requires_tls),
    resource_policy(
        "rds-proxy-iam-auth",
        "RDS proxies must authenticate clients with IAM: auths=[{'auth_scheme': 'SECRETS', "
        "'iam_auth': 'REQUIRED', 'secret_arn': ...}] (or default_auth_scheme='IAM_AUTH'), and grant "
        "each function rds-db:connect on the proxy's dbuser ARN.",
        rds_proxy_iam_auth),
]
