"""The two ways an operations command stops early, and the exit code of each."""
from __future__ import annotations

BAD_INPUT = 2  # the command could not run: arguments, stack outputs, credentials, region, endpoint
PROBLEM = 1    # the command ran and found the platform unhealthy, or AWS refused a step


class OpsError(Exception):
    exit_code = PROBLEM


class BadInput(OpsError):
    exit_code = BAD_INPUT


class AwsProblem(OpsError):
    exit_code = PROBLEM
