"""Usage assumptions behind the estimate: one JSON object per stack (cost/usage/<stack>.json)
over documented defaults. Nothing the estimate assumes lives anywhere else."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Optional, Union

USAGE_DIR = Path(__file__).resolve().parent / "usage"


@dataclass(frozen=True)
class UsageKey:
    default: Optional[float]
    description: str


USAGE_KEYS: dict[str, UsageKey] = {
    "cdnDataTransferGb": UsageKey(50, "GB CloudFront serves to viewers a month"),
    "cdnRequestsMillions": UsageKey(2, "millions of CloudFront requests a month"),
    "wafRequestsMillions": UsageKey(2, "millions of requests the WAF inspects a month"),
    "natDataProcessedGb": UsageKey(20, "GB through each NAT gateway a month (image pulls, AWS APIs, outbound calls)"),
    "albAverageLcu": UsageKey(1, "average load balancer capacity units over the month"),
    "fargateAverageTasks": UsageKey(None, "average running tasks; unset: the auto scaling minimum (or the service's desired count)"),
    "logsIngestedGbPerGroup": UsageKey(1, "GB ingested a month into each log group"),
    "s3StorageGbPerBucket": UsageKey(5, "GB stored in each bucket"),
    "ecrStorageGb": UsageKey(2, "GB of images kept in each ECR repository"),
    "lambdaRequestsMillions": UsageKey(1, "millions of invocations of each Lambda function a month"),
    "lambdaAverageDurationMs": UsageKey(200, "average billed duration of an invocation, in milliseconds"),
    "apiRequestsMillions": UsageKey(1, "millions of requests each API Gateway REST API serves a month"),
    "dynamodbReadMillions": UsageKey(1, "millions of read request units each on-demand table serves a month"),
    "dynamodbWriteMillions": UsageKey(0.5, "millions of write request units each on-demand table takes a month"),
    "dynamodbStorageGb": UsageKey(1, "GB stored in each DynamoDB table"),
}


class UsageError(ValueError):
    """A usage file that is unreadable, not a JSON object, or holds an unknown key or a bad value."""


@dataclass(frozen=True)
class Usage:
    values: Mapping[str, Optional[float]]
    source: str = "defaults"

    def __getitem__(self, key: str) -> Optional[float]:
        return self.values[key]

    def basis(self, key: str) -> str:
        """How an assumption reads in a line: "cdnDataTransferGb = 50 (cost/usage/prod.json)"."""
        return f"{key} = {self.values[key]:g} ({self.source})"


def usage_from(values: Mapping[str, Any], source: str = "defaults") -> Usage:
    problems = [_problem(key, value) for key, value in values.items()]
    problems = [p for p in problems if p]
    if problems:
        raise UsageError(f"Invalid usage assumptions in {source}:\n" + "\n".join(f"  - {p}" for p in problems))
    merged = {key: spec.default for key, spec in USAGE_KEYS.items()}
    merged.update(values)
    return Usage(merged, source)


def _problem(key: str, value: Any) -> Optional[str]:
    if key not in USAGE_KEYS:
        return f"{key} is not a usage key; allowed: {', '.join(USAGE_KEYS)}"
    if value is None and USAGE_KEYS[key].default is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        return f"{key} = {json.dumps(value)} is not valid; allowed: a number ≥ 0"
    return None


def usage_file(stack: str, usage_dir: Union[str, Path, None] = None) -> Path:
    return Path(usage_dir or USAGE_DIR) / f"{stack}.json"


def load_usage(stack: str, usage_dir: Union[str, Path, None] = None) -> Usage:
    """The stack's usage file over the defaults; the defaults alone when the stack has none."""
    path = usage_file(stack, usage_dir)
    if not path.exists():
        return usage_from({})
    shown = f"cost/usage/{path.name}"
    try:
        values = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise UsageError(f"Invalid usage assumptions in {shown}: {error}") from None
    if not isinstance(values, dict):
        raise UsageError(f"Invalid usage assumptions in {shown}: allowed: a JSON object of usage keys")
    return usage_from(values, shown)
