"""Log groups are encrypted with the platform's own rotated KMS key, usable by CloudWatch Logs only."""
import json

from tests.support import named

KEY = "aws:kms/key:Key"


def logs_key(plan):
    return named(plan, KEY, "logs-key")


def test_every_log_group_is_encrypted_with_the_logs_key(dev_plan):
    key_arn = logs_key(dev_plan).outputs["arn"]
    groups = dev_plan.of_type("aws:cloudwatch/logGroup:LogGroup")
    assert groups and all(g.inputs["kmsKeyId"] == key_arn for g in groups)


def test_the_key_rotates_and_has_an_alias(dev_plan):
    key = logs_key(dev_plan)
    assert key.inputs["enableKeyRotation"] is True
    alias = named(dev_plan, "aws:kms/alias:Alias", "logs-alias")
    assert (alias.inputs["name"], alias.inputs["targetKeyId"]) == ("alias/webstack-dev-logs", key.id)


def test_cloudwatch_logs_may_use_it_only_for_this_accounts_log_groups(dev_plan):
    statements = {s["Sid"]: s for s in json.loads(logs_key(dev_plan).inputs["policy"])["Statement"]}
    logs = statements["CloudWatchLogsUse"]
    assert logs["Principal"] == {"Service": "logs.ap-northeast-2.amazonaws.com"}
    assert logs["Condition"]["ArnLike"]["kms:EncryptionContext:aws:logs:arn"] == \
        "arn:aws:logs:ap-northeast-2:123456789012:log-group:*"
    assert statements["AccountAdministers"]["Principal"] == {"AWS": "arn:aws:iam::123456789012:root"}
