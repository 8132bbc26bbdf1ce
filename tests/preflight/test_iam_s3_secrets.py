"""IAM, S3 and Secrets Manager preflight rules, each shown firing on a broken plan."""
import json

from preflight import iam, s3, secrets
from tests.preflight.broken import plan, resource


def test_an_auto_named_role_over_64_characters_is_refused():
    name = "r" * 57  # + 8 = 65
    [finding] = iam.role_names(plan(resource(iam.ROLE, name, {})))
    assert "65 characters" in finding.message
    assert iam.role_names(plan(resource(iam.ROLE, "app-task-role", {}))) == []


def test_inline_policies_over_10240_characters_per_role_are_refused():
    big = json.dumps({"Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                                     "Resource": "arn:aws:s3:::b/" + "k" * 6000}]})
    policies = [resource(iam.ROLE_POLICY, f"p{i}", {"role": "role-1", "policy": big})
                for i in range(2)]
    [finding] = iam.role_inline_policy_size(plan(*policies))
    assert finding.resource == "role-1"
    assert iam.role_inline_policy_size(plan(policies[0])) == []


def test_bucket_names_follow_s3s_rules():
    findings = s3.bucket_names(plan(
        resource("aws:s3/bucket:Bucket", "upper", {"bucket": "Webstack-Assets"}),
        resource("aws:s3/bucket:Bucket", "prefix", {"bucketPrefix": "w" * 38}),  # 38 + 26 = 64
        resource("aws:s3/bucket:Bucket", "ip", {"bucket": "192.168.5.4"}),
        resource("aws:s3/bucket:Bucket", "fine", {"bucketPrefix": "webstack-prod-assets-"})))
    assert sorted({f.resource for f in findings}) == ["ip", "prefix", "upper"]


def test_secret_names_allow_only_secrets_managers_characters():
    [finding] = secrets.secret_names(plan(
        resource(secrets.SECRET, "bad", {"namePrefix": "webstack prod/redis "}),
        resource(secrets.SECRET, "fine", {"namePrefix": "webstack-prod/redis-auth-"})))
    assert finding.resource == "bad"


def test_rotation_intervals_stay_within_1_to_1000_days():
    [finding] = secrets.rotation_intervals(plan(
        resource(secrets.ROTATION, "never", {"rotationRules": {"automaticallyAfterDays": 0}}),
        resource(secrets.ROTATION, "weekly", {"rotationRules": {"automaticallyAfterDays": 7}})))
    assert finding.resource == "never"
