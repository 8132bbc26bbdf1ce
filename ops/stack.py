"""The stack's outputs (`pulumi stack output --json`): where every command finds its region, names
and ARNs. Nothing about a stack is hard-coded in ops/."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from typing import Optional

from ops.aws import check_region
from ops.errors import BadInput

STACK_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,199}$")


@dataclass(frozen=True)
class StackOutputs:
    stack: str
    values: dict
    source: str  # the file or command they came from, for messages

    def get(self, name: str) -> Optional[object]:
        value = self.values.get(name)
        return None if value in (None, "", []) else value

    def require(self, name: str, purpose: str) -> object:
        value = self.get(name)
        if value is None:
            raise BadInput(f"stack output {name!r} is missing from {self.source}; {purpose} needs "
                           f"it (the program must export it: pulumi.export({name!r}, ...))")
        return value

    def table_names(self) -> list[str]:
        """The DynamoDB tables the stack keeps data in (all with point-in-time recovery)."""
        more = self.get("dynamodbTables") or []
        if not isinstance(more, list) or not all(isinstance(name, str) for name in more):
            raise BadInput(f"stack output 'dynamodbTables' in {self.source} is {more!r}; allowed: "
                           "a list of table names")
        return sorted({str(name) for name in [self.get("deploymentHistoryTable"), *more] if name})

    def ecs_services(self) -> dict[str, str]:
        """Each service's ECS service name by its name in the config, from `serviceNames` (a JSON
        object, as the program exports it); a stack from before it has `serviceName` alone, its
        one service `app`. Empty: no ECS service (the MVP tier)."""
        if self.get("serviceNames") is None:
            single = self.get("serviceName")
            return {"app": str(single)} if single is not None else {}
        return self.name_map("serviceNames", "ECS service names")

    def name_map(self, output: str, what: str) -> dict[str, str]:
        """An output the program exports as a JSON object of names by config name
        (`serviceNames`, `functionNames`, `deploymentGroupNames`); empty when it is missing."""
        names = self.get(output)
        if names is None:
            return {}
        try:
            value = json.loads(names) if isinstance(names, str) else names
        except json.JSONDecodeError:
            value = None
        if not isinstance(value, dict) or not value or not all(
                isinstance(k, str) and isinstance(v, str) and v for k, v in value.items()):
            raise BadInput(f"stack output {output!r} in {self.source} is {names!r}; allowed: "
                           f"a JSON object of config names to {what}, e.g. "
                           '{"api": "webstack-prod-api"}')
        return dict(sorted(value.items()))

    def pick_services(self, wanted: Optional[str], purpose: str, one: bool = False
                      ) -> dict[str, str]:
        """The services `--service` names (all when None; with `one`, None is allowed only when
        the stack has a single service)."""
        services = self.ecs_services()
        if wanted is not None:
            if wanted not in services:
                raise BadInput(f"--service {wanted!r} is not a service of stack {self.stack}; "
                               f"allowed: {', '.join(services) or 'none (no ECS service)'}")
            return {wanted: services[wanted]}
        if one and len(services) > 1:
            raise BadInput(f"{purpose} needs --service: stack {self.stack} runs "
                           f"{len(services)} services ({', '.join(services)})")
        return services

    @property
    def region(self) -> str:
        return check_region(self.require("region", "every command"),
                            f"stack output 'region' in {self.source}")


def check_stack_name(stack: str) -> str:
    if not STACK_NAME.match(stack or ""):
        raise BadInput(f"--stack {stack!r} is not a stack name; allowed: letters, digits, "
                       "'.', '_', '-' (and 'org/project/' before it), such as 'prod'")
    return stack


def load(stack: str, outputs_file: Optional[str] = None) -> StackOutputs:
    check_stack_name(stack)
    if outputs_file:
        return StackOutputs(stack, parse(read_file(outputs_file), outputs_file), outputs_file)
    command = ["pulumi", "stack", "output", "--json", "--stack", stack]
    source = " ".join(command)
    if shutil.which("pulumi") is None:
        raise BadInput("the pulumi CLI is not installed; pass --outputs FILE with the content of "
                       f"`{source}`")
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        detail = (result.stderr.strip().splitlines() or ["no message"])[-1]
        raise BadInput(f"`{source}` failed: {detail}")
    return StackOutputs(stack, parse(result.stdout, source), source)


def read_file(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except OSError as error:
        raise BadInput(f"--outputs {path!r} cannot be read: {error.strerror}") from None
    except UnicodeDecodeError:
        raise BadInput(f"--outputs {path!r} is not UTF-8 text") from None


def parse(text: str, source: str) -> dict:
    try:
        values = json.loads(text)
    except json.JSONDecodeError as error:
        raise BadInput(f"{source} is not JSON ({error.msg} at line {error.lineno}); expected the "
                       "output of `pulumi stack output --json`") from None
    if not isinstance(values, dict):
        raise BadInput(f"{source} holds a JSON {type(values).__name__}; expected an object of "
                       "stack outputs (`pulumi stack output --json`)")
    return values
