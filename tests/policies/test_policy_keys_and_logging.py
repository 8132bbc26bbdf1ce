"""KMS key rotation, secret rotation, load balancer deletion protection and access logs,
CloudFront and WAF logging."""
import pytest
from policy_kit import UNKNOWN, fires, passes, res

from policies import _aws as aws


def test_symmetric_keys_must_rotate():
    passes("kms-key-rotation", res(aws.KMS_KEY, {"enableKeyRotation": True}))
    fires("kms-key-rotation", res(aws.KMS_KEY, {"description": "k"}), says="enableKeyRotation is not true")
    fires("kms-key-rotation", res(aws.KMS_KEY, {"enableKeyRotation": False, "customerMasterKeySpec": "SYMMETRIC_DEFAULT"}))


@pytest.mark.parametrize("spec", ["RSA_2048", "ECC_NIST_P256", "HMAC_256"])
def test_keys_that_cannot_rotate_automatically_are_not_asked_to(spec):
    passes("kms-key-rotation", res(aws.KMS_KEY, {"customerMasterKeySpec": spec}))


def test_a_secret_needs_a_rotation_in_the_stack():
    secret = res(aws.SECRET, {"namePrefix": "app/"}, id="arn:secret:1")
    found = fires("secrets-rotated", secret, on=[secret], says="no aws.secretsmanager.SecretRotation")
    assert {v.level for v in found} == {"advisory"}
    rotation = res(aws.SECRET_ROTATION, {"secretId": secret.id, "rotationRules": {"automaticallyAfterDays": 30}},
                   deps={"secretId": [secret]})
    passes("secrets-rotated", secret, rotation)
    unknown = res(aws.SECRET_ROTATION, {"secretId": UNKNOWN})
    passes("secrets-rotated", secret, unknown)  # cannot tell which secret it rotates


ALB = {"loadBalancerType": "application", "enableDeletionProtection": True,
       "accessLogs": {"enabled": True, "bucket": "logs", "prefix": "alb"}}


@pytest.mark.parametrize("lb_type", aws.LOAD_BALANCERS)
def test_load_balancers_keep_logs_and_deletion_protection(lb_type):
    passes("alb-access-logs", res(lb_type, ALB))
    passes("alb-deletion-protection", res(lb_type, ALB))
    fires("alb-access-logs", res(lb_type, {**ALB, "accessLogs": {"enabled": False, "bucket": "logs"}}),
          says="accessLogs.enabled is not true")
    fires("alb-access-logs", res(lb_type, {"loadBalancerType": "application"}))
    fires("alb-deletion-protection", res(lb_type, {**ALB, "enableDeletionProtection": False}),
          says="enableDeletionProtection is not true")


def test_cloudfront_logging_is_advisory():
    passes("cloudfront-access-logging", res(aws.DISTRIBUTION, {"loggingConfig": {"bucket": "logs.s3.amazonaws.com"}}))
    found = fires("cloudfront-access-logging", res(aws.DISTRIBUTION, {"enabled": True}), says="loggingConfig.bucket")
    assert {v.level for v in found} == {"advisory"}


def test_a_web_acl_needs_a_logging_configuration():
    acl = res(aws.WEB_ACL, {"scope": "CLOUDFRONT", "arn": "arn:aws:wafv2:acl"})
    fires("waf-logging", acl, on=[acl])
    logging = res(aws.WEB_ACL_LOGGING, {"resourceArn": "arn", "logDestinationConfigs": ["arn:logs"]},
                  deps={"resourceArn": [acl]})
    passes("waf-logging", acl, logging)
