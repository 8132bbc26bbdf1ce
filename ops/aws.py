"""The one place that builds boto3 clients, and turns botocore's failures into one-line messages.

WEBSTACK_AWS_ENDPOINT_URL points every client at another endpoint (the tests' moto server).
Throttled and transient calls are retried by botocore's "standard" retry mode: exponential
backoff with jitter, AWS_MAX_ATTEMPTS attempts in all (default 5); what still fails is reported.
"""
from __future__ import annotations

import os
from functools import lru_cache

import boto3
from botocore.config import Config
from botocore.exceptions import (BotoCoreError, ClientError, ConnectTimeoutError,
                                 EndpointConnectionError, NoCredentialsError, NoRegionError,
                                 ParamValidationError, PartialCredentialsError,
                                 ReadTimeoutError, WaiterError)

from ops.errors import AwsProblem, BadInput

ENDPOINT_ENV = "WEBSTACK_AWS_ENDPOINT_URL"
DEFAULT_ATTEMPTS = 5
PARTITIONS = ("aws", "aws-cn", "aws-us-gov")
THROTTLING_CODES = {"Throttling", "ThrottlingException", "ThrottledException",
                    "RequestThrottledException", "TooManyRequestsException",
                    "ProvisionedThroughputExceededException", "RequestLimitExceeded",
                    "SlowDown", "RequestThrottled"}
CREDENTIAL_CODES = {"UnrecognizedClientException", "InvalidClientTokenId", "ExpiredToken",
                    "ExpiredTokenException", "InvalidSignatureException", "SignatureDoesNotMatch",
                    "AuthFailure", "MissingAuthenticationToken"}
ACCESS_CODES = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"}


def max_attempts() -> int:
    raw = os.environ.get("AWS_MAX_ATTEMPTS", str(DEFAULT_ATTEMPTS))
    if not raw.isdigit() or int(raw) < 1:
        raise BadInput(f"AWS_MAX_ATTEMPTS = {raw!r} is not valid; allowed: a whole number >= 1")
    return int(raw)


@lru_cache(maxsize=None)
def known_regions() -> frozenset:
    session = boto3.session.Session()
    return frozenset(region for partition in PARTITIONS
                     for region in session.get_available_regions("sts", partition_name=partition))


def check_region(region: object, source: str) -> str:
    if not region:
        raise BadInput(f"no AWS region: {source} is empty; it must name the stack's region")
    if region not in known_regions():
        raise BadInput(f"{source} = {region!r} is not an AWS region; allowed: a region such as "
                       "'ap-northeast-2' (lower case)")
    return str(region)


def session() -> boto3.session.Session:
    """A new session; tests replace this to attach botocore stubs or event handlers."""
    return boto3.session.Session()


_made: dict = {}  # one session, and one client or resource per service and region, per process


def forget() -> None:
    _made.clear()


def _config() -> Config:
    return Config(retries={"mode": "standard", "total_max_attempts": max_attempts()},
                  connect_timeout=5, read_timeout=60)


def _shared(key: tuple, make):
    if key not in _made:
        _made[key] = make()
    return _made[key]


def client(service: str, region: str):
    shared = _shared(("session",), session)
    return _shared(("client", service, region), lambda: shared.client(
        service, region_name=region, endpoint_url=os.environ.get(ENDPOINT_ENV) or None,
        config=_config()))


def resource(service: str, region: str):
    shared = _shared(("session",), session)
    return _shared(("resource", service, region), lambda: shared.resource(
        service, region_name=region, endpoint_url=os.environ.get(ENDPOINT_ENV) or None,
        config=_config()))


def error_code(error: ClientError) -> str:
    return error.response.get("Error", {}).get("Code", "")


def one_line(text: str, limit: int = 300) -> str:
    """An error body (sometimes a whole HTML page) as one short line."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[:limit - 1] + "…"


def explain(error: Exception) -> Exception:
    """The BadInput or AwsProblem that says, in one line, what a botocore failure means."""
    if isinstance(error, (NoCredentialsError, PartialCredentialsError)):
        return BadInput("no AWS credentials: configure a profile, environment variables or the "
                        "CI role (OIDC) before running this command")
    if isinstance(error, NoRegionError):
        return BadInput("no AWS region: the stack outputs must name one ('region')")
    if isinstance(error, (EndpointConnectionError, ConnectTimeoutError, ReadTimeoutError)):
        return BadInput(f"cannot reach the AWS endpoint: {one_line(error)}")
    if isinstance(error, ParamValidationError):
        return BadInput(one_line(error))
    if isinstance(error, WaiterError):
        return AwsProblem(f"gave up waiting: {one_line(error)}")
    if isinstance(error, ClientError):
        code = error_code(error)
        message = one_line(error.response.get("Error", {}).get("Message", ""))
        operation = getattr(error, "operation_name", "the call")
        if code in THROTTLING_CODES:
            return AwsProblem(f"AWS throttled {operation} ({code}) and it still failed after "
                              f"{max_attempts()} attempts with backoff; try again later")
        if code in CREDENTIAL_CODES:
            return BadInput(f"AWS refused the credentials ({code}): {message}")
        if code in ACCESS_CODES:
            return BadInput(f"the role may not call {operation} ({code}): {message}")
        return AwsProblem(f"{operation} failed ({code}): {message}")
    if isinstance(error, BotoCoreError):
        return AwsProblem(one_line(error))
    return error


def is_missing(error: ClientError, *codes: str) -> bool:
    return error_code(error) in codes
