"""ECS task definitions and ECR repositories."""
import json

import pytest
from policy_kit import UNKNOWN, fires, passes, res

from policies import _aws as aws


def task(*containers: dict) -> dict:
    return {"family": "app", "containerDefinitions": json.dumps(list(containers))}


APP = {"name": "app", "image": "nginx:stable", "readonlyRootFilesystem": True,
       "environment": [{"name": "DATABASE_HOST", "value": "db.internal"}, {"name": "REDIS_TLS", "value": "true"}],
       "secrets": [{"name": "DATABASE_PASSWORD", "valueFrom": "arn:aws:secretsmanager:r:1:secret:db"}]}


def test_a_compliant_task_passes_every_container_policy():
    for policy in ("ecs-task-no-privileged-containers", "ecs-task-no-plaintext-secrets",
                   "ecs-task-read-only-root-filesystem"):
        passes(policy, res(aws.ECS_TASK_DEFINITION, task(APP)))


def test_a_privileged_container_is_refused_by_name():
    fires("ecs-task-no-privileged-containers", res(aws.ECS_TASK_DEFINITION, task(APP, {**APP, "name": "sidecar",
                                                                                     "privileged": True})),
          says="containerDefinitions[1] (sidecar).privileged is true")


@pytest.mark.parametrize("name", ["DB_PASSWORD", "stripe_api_key", "GITHUB_TOKEN", "AWS_ACCESS_KEY_ID", "AppSecret"])
def test_secret_looking_variables_in_environment_are_refused_without_their_value(name):
    found = fires("ecs-task-no-plaintext-secrets", res(aws.ECS_TASK_DEFINITION, task(
        {**APP, "environment": [{"name": name, "value": "hunter2-value"}]})), says=f"environment {name} looks like")
    assert all("hunter2" not in v.message for v in found)


def test_an_access_key_id_in_any_variable_is_refused():
    fires("ecs-task-no-plaintext-secrets", res(aws.ECS_TASK_DEFINITION, task(
        {**APP, "environment": [{"name": "S3_CONFIG", "value": "key=AKIAIOSFODNN7EXAMPLE"}]})),
        says="holds an AWS access key id")


def test_the_secret_names_are_configurable():
    passes("ecs-task-no-plaintext-secrets", res(aws.ECS_TASK_DEFINITION, task(
        {**APP, "environment": [{"name": "CSRF_TOKEN_HEADER", "value": "X-CSRF"}]})), config={"secretNames": ["*PASSWORD*"]})


def test_a_writable_root_filesystem_is_advisory():
    found = fires("ecs-task-read-only-root-filesystem", res(aws.ECS_TASK_DEFINITION, task({**APP, "readonlyRootFilesystem": False})))
    assert {v.level for v in found} == {"advisory"}


def test_unknown_or_unparseable_container_definitions_are_skipped():
    passes("ecs-task-no-privileged-containers", res(aws.ECS_TASK_DEFINITION, {"containerDefinitions": UNKNOWN}))
    passes("ecs-task-no-privileged-containers", res(aws.ECS_TASK_DEFINITION, {"containerDefinitions": "[{"}))


REPOSITORY = {"name": "app", "imageScanningConfiguration": {"scanOnPush": True}, "imageTagMutability": "IMMUTABLE"}


@pytest.mark.parametrize("mutability", ["IMMUTABLE", "IMMUTABLE_WITH_EXCLUSION"])
def test_a_scanned_repository_with_immutable_tags_passes(mutability):
    repository = res(aws.ECR_REPOSITORY, {**REPOSITORY, "imageTagMutability": mutability})
    passes("ecr-scan-on-push", repository)
    passes("ecr-immutable-tags", repository)


def test_a_repository_without_scan_on_push_is_refused():
    fires("ecr-scan-on-push", res(aws.ECR_REPOSITORY, {**REPOSITORY, "imageScanningConfiguration": {"scanOnPush": False}}),
          says="scanOnPush is not true")
    fires("ecr-scan-on-push", res(aws.ECR_REPOSITORY, {"name": "app"}))


@pytest.mark.parametrize("props, says", [({"imageTagMutability": "MUTABLE"}, "imageTagMutability is MUTABLE"),
                                         ({}, "unset (MUTABLE)")])
def test_mutable_tags_are_refused(props, says):
    fires("ecr-immutable-tags", res(aws.ECR_REPOSITORY, {"name": "app", **props}), says=says)
