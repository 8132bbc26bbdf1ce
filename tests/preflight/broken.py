"""Small hand-built plans, each breaking one rule AWS enforces at apply time."""
from preview.plan import Plan, PlannedResource

PROVIDER_URN = "urn:pulumi:test::webstack::pulumi:providers:aws::aws"


def provider(region: str = "ap-northeast-2") -> PlannedResource:
    return PlannedResource(urn=PROVIDER_URN, type="pulumi:providers:aws", name="aws",
                           inputs={"region": region}, custom=True, id="provider-id")


def resource(type_token: str, name: str, inputs: dict, **fields) -> PlannedResource:
    return PlannedResource(urn=f"urn:pulumi:test::webstack::{type_token}::{name}", type=type_token,
                           name=name, inputs=inputs, custom=True,
                           provider=f"{PROVIDER_URN}::provider-id",
                           id=fields.pop("id", f"{name}-id"), **fields)


def plan(*resources: PlannedResource, region: str = "ap-northeast-2", stack: str = "test") -> Plan:
    return Plan(stack=stack, resources=[provider(region), *resources])


def rules_fired(findings) -> set[str]:
    return {finding.rule for finding in findings}
