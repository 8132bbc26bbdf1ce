"""Route 53 alias records: the site's name to CloudFront, the API origin's name to the ALB."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_aws as aws

from config.settings import DomainSettings


@dataclass(frozen=True)
class DnsRecordsArgs:
    domain: DomainSettings
    cdn_domain_name: pulumi.Input[str]
    cdn_zone_id: pulumi.Input[str]
    alb_dns_name: pulumi.Input[str]
    alb_zone_id: pulumi.Input[str]


class DnsRecords(pulumi.ComponentResource):
    def __init__(self, name: str, args: DnsRecordsArgs,
                 opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("webstack:dns:DnsRecords", name, None, opts)
        domain = args.domain
        for record_type in ("A", "AAAA"):  # the distribution serves IPv6 too
            self._alias(f"{name}-site-{record_type.lower()}", domain, domain.name, record_type,
                        args.cdn_domain_name, args.cdn_zone_id, evaluate_health=False)
        # The name CloudFront connects to, matching the ALB's certificate. Its security group
        # admits only CloudFront, so the name leads nowhere for anyone else.
        self._alias(f"{name}-api-origin", domain, domain.api_origin, "A", args.alb_dns_name,
                    args.alb_zone_id, evaluate_health=True)
        self.register_outputs({})

    def _alias(self, name: str, domain: DomainSettings, record_name: str, record_type: str,
               target: pulumi.Input[str], target_zone: pulumi.Input[str],
               evaluate_health: bool) -> aws.route53.Record:
        return aws.route53.Record(
            name, zone_id=domain.hosted_zone_id, name=record_name, type=record_type,
            aliases=[aws.route53.RecordAliasArgs(name=target, zone_id=target_zone,
                                                 evaluate_target_health=evaluate_health)],
            opts=pulumi.ResourceOptions(parent=self))
