"""The ECR repository: images scanned on push, tags never overwritten, old images expired."""
import json

import pytest

REPOSITORY = "aws:ecr/repository:Repository"
LIFECYCLE = "aws:ecr/lifecyclePolicy:LifecyclePolicy"
SCALED = ["staging", "prod"]


def rules(plan) -> list[dict]:
    return json.loads(plan.one(LIFECYCLE).inputs["policy"])["rules"]


@pytest.mark.parametrize("stack", SCALED)
def test_images_are_scanned_on_push(api_plan_of, stack):
    repository = api_plan_of(stack).one(REPOSITORY).inputs
    assert repository["imageScanningConfiguration"] == {"scanOnPush": True}


@pytest.mark.parametrize("stack", SCALED)
def test_tags_are_immutable(api_plan_of, stack):
    assert api_plan_of(stack).one(REPOSITORY).inputs["imageTagMutability"] == "IMMUTABLE"


@pytest.mark.parametrize("stack", SCALED)
def test_images_are_kms_encrypted_and_never_force_deleted(api_plan_of, stack):
    repository = api_plan_of(stack).one(REPOSITORY).inputs
    assert repository["encryptionConfigurations"] == [{"encryptionType": "KMS"}]
    assert repository["forceDelete"] is False


@pytest.mark.parametrize("stack", SCALED)
def test_the_lifecycle_policy_belongs_to_the_stacks_repository(api_plan_of, stack):
    plan = api_plan_of(stack)
    assert plan.one(REPOSITORY).inputs["name"] == f"webstack-{stack}/api"
    assert plan.one(LIFECYCLE).inputs["repository"] == f"webstack-{stack}/api"


def test_untagged_images_expire_after_a_week(api_plan_of):
    [untagged] = [r for r in rules(api_plan_of("staging")) if r["selection"]["tagStatus"] == "untagged"]
    assert untagged["selection"] == {"tagStatus": "untagged", "countType": "sinceImagePushed",
                                     "countUnit": "days", "countNumber": 7}
    assert untagged["action"] == {"type": "expire"}


def test_only_images_beyond_the_last_30_are_expired(api_plan_of):
    [kept] = [r for r in rules(api_plan_of("staging")) if r["selection"]["tagStatus"] == "any"]
    assert kept["selection"] == {"tagStatus": "any", "countType": "imageCountMoreThan",
                                 "countNumber": 30}
    assert kept["action"] == {"type": "expire"}


def test_rule_priorities_are_distinct_with_the_any_rule_last(api_plan_of):
    # ECR rejects a policy whose tagStatus "any" rule is not the one with the highest priority.
    priorities = {r["rulePriority"]: r["selection"]["tagStatus"] for r in rules(api_plan_of("staging"))}
    assert len(priorities) == len(rules(api_plan_of("staging")))
    assert priorities[max(priorities)] == "any"


@pytest.mark.parametrize("stack", SCALED)
def test_the_repository_url_is_an_output(api_plan_of, stack):
    plan = api_plan_of(stack)
    assert plan.outputs["ecrRepositoryUrl"] == plan.one(REPOSITORY).outputs["repositoryUrl"]
    assert plan.outputs["ecrRepositoryUrl"] == \
        f"123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/webstack-{stack}/api"
