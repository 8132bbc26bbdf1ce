"""Containers: what ECS task definitions may run with, and how ECR keeps the images they run."""
from __future__ import annotations

import fnmatch
import json
import re
from typing import Iterator, Mapping

from pulumi_policy import ReportViolation, ResourceValidationArgs, Severity

from policies import _aws as aws
from policies._policy import ADVISORY, applies_to, list_setting, resource_policy, settings
from policies._props import UNKNOWN, dig, is_map, is_true, items, known

# ---- ECS task definitions ----


def containers(props: Mapping) -> Iterator[tuple[str, Mapping]]:
    """(label, container) for each container definition; none when the JSON is unknown or not a
    list of objects (AWS refuses such a task definition, and it says so itself)."""
    value = known(props, "containerDefinitions")
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return
    for index, container in enumerate(items(value) if value is not UNKNOWN else []):
        if is_map(container):
            name = dig(container, "name")
            yield f"containerDefinitions[{index}]" + (f" ({name})" if isinstance(name, str) else ""), container


@applies_to(aws.ECS_TASK_DEFINITION)
def ecs_task_no_privileged_containers(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for label, container in containers(args.props):
        if is_true(dig(container, "privileged")):
            report(f"{label}.privileged is true")


@applies_to(aws.ECS_TASK_DEFINITION)
def ecs_task_read_only_root_filesystem(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for label, container in containers(args.props):
        if not is_true(dig(container, "readonlyRootFilesystem")):
            report(f"{label}.readonlyRootFilesystem is not true")


# AWS Config's ecs-no-environment-secrets takes the variable names to refuse as a parameter (its
# conformance pack defaults to AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, ECS_ENGINE_AUTH_DATA):
# https://docs.aws.amazon.com/config/latest/developerguide/ecs-no-environment-secrets.html
SECRET_NAMES_SCHEMA = {
    "secretNames": list_setting(
        "string", ["*PASSWORD*", "*PASSWD*", "*SECRET*", "*TOKEN*", "*API_KEY*", "*PRIVATE_KEY*",
                   "*CREDENTIAL*", "AWS_ACCESS_KEY_ID", "ECS_ENGINE_AUTH_DATA"],
        "Environment variable names (globs, any case) that hold secrets and belong in `secrets`."),
}
ACCESS_KEY_ID = re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b")  # an AWS access key id in a value
# Names that point at a secret rather than hold one (OAUTH_TOKEN_URL, DB_SECRET_ARN) are fine,
# unless the config names them exactly.
REFERENCE_SUFFIXES = ("_ARN", "_URL", "_URI", "_HOST", "_PORT", "_ENDPOINT", "_HEADER", "_NAME", "_PATH",
                      "_FILE", "_REGION")


def looks_like_secret_name(name: str, patterns: list[str]) -> bool:
    if name in patterns:
        return True
    return not name.endswith(REFERENCE_SUFFIXES) and any(fnmatch.fnmatchcase(name, p) for p in patterns)


@applies_to(aws.ECS_TASK_DEFINITION)
def ecs_task_no_plaintext_secrets(args: ResourceValidationArgs, report: ReportViolation) -> None:
    patterns = [str(p).upper() for p in settings(args, SECRET_NAMES_SCHEMA)["secretNames"]]
    for label, container in containers(args.props):
        for variable in items(dig(container, "environment")):
            name, value = dig(variable, "name"), dig(variable, "value")
            name = name if isinstance(name, str) else ""
            if looks_like_secret_name(name.upper(), patterns):
                report(f"{label}.environment {name} looks like a secret in plain text")
            elif isinstance(value, str) and ACCESS_KEY_ID.search(value):
                report(f"{label}.environment {name or '(unnamed)'} holds an AWS access key id")


# ---- ECR ----

IMMUTABLE_TAGS = ("IMMUTABLE", "IMMUTABLE_WITH_EXCLUSION")


@applies_to(aws.ECR_REPOSITORY)
def ecr_scan_on_push(args: ResourceValidationArgs, report: ReportViolation) -> None:
    scan = known(args.props, "imageScanningConfiguration", "scanOnPush")
    if scan is not UNKNOWN and not is_true(scan):
        report("imageScanningConfiguration.scanOnPush is not true")


@applies_to(aws.ECR_REPOSITORY)
def ecr_immutable_tags(args: ResourceValidationArgs, report: ReportViolation) -> None:
    mutability = known(args.props, "imageTagMutability")
    if mutability is not UNKNOWN and mutability not in IMMUTABLE_TAGS:
        # AWS's default when unset is MUTABLE.
        shown = mutability if isinstance(mutability, str) else "unset (MUTABLE)" if mutability is None else "invalid"
        report(f"imageTagMutability is {shown}")


POLICIES = [
    resource_policy(
        "ecs-task-no-privileged-containers",
        "Containers must not run privileged (root on the host): drop privileged=True from the "
        "container definition and grant the Linux capabilities the app needs instead.",
        ecs_task_no_privileged_containers),
    resource_policy(
        "ecs-task-no-plaintext-secrets",
        "Secrets must not sit in a container's environment (visible in the task definition): "
        "move them to `secrets` with valueFrom a Secrets Manager or SSM SecureString ARN.",
        ecs_task_no_plaintext_secrets, config=SECRET_NAMES_SCHEMA),
    resource_policy(
        "ecs-task-read-only-root-filesystem",
        "Where the app allows it, run containers with readonlyRootFilesystem=True and mount "
        "writable paths (/tmp, caches) as volumes.",
        ecs_task_read_only_root_filesystem, level=ADVISORY, severity=Severity.MEDIUM),
    resource_policy(
        "ecr-scan-on-push",
        "ECR repositories must scan images on push: image_scanning_configuration={'scan_on_push': "
        "True} (or enhanced scanning in the registry's scanning configuration).",
        ecr_scan_on_push),
    resource_policy(
        "ecr-immutable-tags",
        "ECR image tags must be immutable so a deployed tag always means the same image: "
        "image_tag_mutability='IMMUTABLE' (or 'IMMUTABLE_WITH_EXCLUSION').",
        ecr_immutable_tags),
]
