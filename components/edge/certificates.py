"""ACM certificates validated through Route 53: one in us-east-1 for CloudFront, one for the ALB."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_aws as aws

from config.settings import DomainSettings


@dataclass(frozen=True)
class CertificatesArgs:
    domain: DomainSettings
    us_east_1: aws.Provider  # CloudFront only takes certificates from us-east-1


class Certificates(pulumi.ComponentResource):
    def __init__(self, name: str, args: CertificatesArgs,
                 opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("webstack:certificates:Certificates", name, None, opts)
        zone = args.domain.hosted_zone_id
        self.site_certificate_arn = self._validated(f"{name}-site", args.domain.name, zone,
                                                    provider=args.us_east_1)
        self.origin_certificate_arn = self._validated(f"{name}-origin", args.domain.api_origin,
                                                      zone, provider=None)
        self.register_outputs({"siteCertificateArn": self.site_certificate_arn,
                               "originCertificateArn": self.origin_certificate_arn})

    def _validated(self, name: str, domain_name: str, zone_id: str,
                   provider: Optional[aws.Provider]) -> pulumi.Output[str]:
        """A DNS-validated certificate; its ARN resolves only once ACM has issued it."""
        in_region = pulumi.ResourceOptions(parent=self, provider=provider)
        certificate = aws.acm.Certificate(name, domain_name=domain_name, validation_method="DNS",
                                          opts=in_region)
        proof = certificate.domain_validation_options[0]
        record = aws.route53.Record(f"{name}-validation-record", zone_id=zone_id,
                                    name=proof.resource_record_name,
                                    type=proof.resource_record_type,
                                    records=[proof.resource_record_value], ttl=60,
                                    allow_overwrite=True, opts=pulumi.ResourceOptions(parent=self))
        validation = aws.acm.CertificateValidation(f"{name}-validation",
                                                   certificate_arn=certificate.arn,
                                                   validation_record_fqdns=[record.fqdn],
                                                   opts=in_region)
        return validation.certificate_arn
