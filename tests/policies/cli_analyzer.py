"""Talks to the policy pack as the Pulumi CLI does: protobuf requests to the analyzer service.

Used both with the pack's own gRPC server (started the way the CLI starts it) and with
pulumi-policy's servicer in-process, to show the offline check reports what the CLI would.
"""
from __future__ import annotations

from typing import Any, Callable, Mapping

from google.protobuf import struct_pb2
from pulumi.runtime import proto

from policies.offline import PolicySettings, to_wire

LEVEL_TO_PROTO = {"advisory": proto.ADVISORY, "mandatory": proto.MANDATORY, "remediate": proto.REMEDIATE,
                  "disabled": proto.DISABLED}
PROTO_TO_LEVEL = {value: key for key, value in LEVEL_TO_PROTO.items()}


def struct(values: Mapping[str, Any]) -> struct_pb2.Struct:
    message = struct_pb2.Struct()
    message.update(to_wire(values))
    return message


def configure_request(config: Mapping[str, PolicySettings]) -> Any:
    return proto.ConfigureAnalyzerRequest(policyConfig={
        name: proto.PolicyConfig(enforcementLevel=LEVEL_TO_PROTO[s.level.value], properties=struct(s.properties))
        for name, s in config.items()})


def _options(resource: Any) -> Any:
    return proto.AnalyzerResourceOptions(protect=resource.protect, parent=resource.parent or "",
                                         ignoreChanges=list(resource.ignore_changes),
                                         additionalSecretOutputs=list(resource.additional_secret_outputs))


def _provider(resource: Any, by_urn: Mapping[str, Any]) -> Any:
    if not resource.provider:
        return None
    provider = by_urn[resource.provider.rsplit("::", 1)[0]]
    return proto.AnalyzerProviderResource(type=provider.type, properties=struct(provider.inputs),
                                          urn=provider.urn, name=provider.name)


def analyze_request(resource: Any, by_urn: Mapping[str, Any]) -> Any:
    request = proto.AnalyzeRequest(type=resource.type, properties=struct(resource.inputs), urn=resource.urn,
                                   name=resource.name, options=_options(resource))
    provider = _provider(resource, by_urn)
    if provider is not None:
        request.provider.CopyFrom(provider)
    return request


def analyze_stack_request(plan: Any) -> Any:
    by_urn = {r.urn: r for r in plan.resources}
    resources = []
    for r in plan.resources:
        outputs = {**r.inputs, **r.outputs, **({"id": r.id} if r.custom and r.id else {})}
        resource = proto.AnalyzerResource(
            type=r.type, properties=struct(outputs), urn=r.urn, name=r.name, options=_options(r),
            parent=r.parent or "", dependencies=list(r.dependencies),
            propertyDependencies={k: proto.AnalyzerPropertyDependencies(urns=list(v))
                                  for k, v in r.property_dependencies.items()})
        provider = _provider(r, by_urn)
        if provider is not None:
            resource.provider.CopyFrom(provider)
        resources.append(resource)
    return proto.AnalyzeStackRequest(resources=resources)


def cli_findings(call: Callable[[str, Any], Any], plan: Any,
                 config: Mapping[str, PolicySettings]) -> set[tuple[str, str, str, str]]:
    """(policy, urn, level, message) for every diagnostic, as the CLI would collect them."""
    call("Configure", configure_request(config))
    by_urn = {r.urn: r for r in plan.resources}
    found = set()
    for resource in plan.resources:
        for d in call("Analyze", analyze_request(resource, by_urn)).diagnostics:
            found.add(_finding(d, resource.urn))
    for d in call("AnalyzeStack", analyze_stack_request(plan)).diagnostics:
        found.add(_finding(d, d.urn))
    return found


def _finding(diagnostic: Any, urn: str) -> tuple[str, str, str, str]:
    # The CLI's message is the policy description, a newline, then the violation's own message.
    message = diagnostic.message.split("\n", 1)[1] if "\n" in diagnostic.message else ""
    return diagnostic.policyName, urn, PROTO_TO_LEVEL[diagnostic.enforcementLevel], message
