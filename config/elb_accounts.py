"""Who delivers a region's ALB access logs: the region's Elastic Load Balancing account, or, in
regions opened since August 2022, the log delivery service principal. A regional fact, like
config/regions.py; read by the logs bucket and by preflight."""
from __future__ import annotations

# The ELB accounts per region, as the Terraform AWS provider's aws_elb_service_account data source
# lists them (hashicorp/terraform-provider-aws internal/service/elb/service_account_data_source.go,
# citing https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-access-logs.html).
ELB_LOG_ACCOUNTS = {
    "af-south-1": "098369216593", "ap-east-1": "754344448648",
    "ap-northeast-1": "582318560864", "ap-northeast-2": "600734575887",
    "ap-northeast-3": "383597477331", "ap-south-1": "718504428378",
    "ap-southeast-1": "114774131450", "ap-southeast-2": "783225319266",
    "ap-southeast-3": "589379963580", "ca-central-1": "985666609251",
    "eu-central-1": "054676820928", "eu-north-1": "897822967062",
    "eu-south-1": "635631232127", "eu-west-1": "156460612806",
    "eu-west-2": "652711504416", "eu-west-3": "009996457667",
    "me-south-1": "076674570225", "sa-east-1": "507241528517",
    "us-east-1": "127311923021", "us-east-2": "033677994240",
    "us-west-1": "027434742980", "us-west-2": "797873946194",
}
# Regions launched in August 2022 or later grant the service principal instead (ELB User Guide,
# "Enable access logs for your Application Load Balancer", step 2, as quoted in amazonka-elb 2.0's
# Amazonka.ELB.Internal.getAccountId).
LOG_DELIVERY_SERVICE = "logdelivery.elasticloadbalancing.amazonaws.com"


def log_delivery_principal(region: str) -> dict:
    """The bucket policy principal that may write `region`'s ALB access logs."""
    account = ELB_LOG_ACCOUNTS.get(region)
    if account is None:
        return {"Service": LOG_DELIVERY_SERVICE}
    return {"AWS": f"arn:aws:iam::{account}:root"}
