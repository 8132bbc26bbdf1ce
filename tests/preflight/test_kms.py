"""KMS alias names: one per account and region (the edge's logs key shares us-east-1)."""
from dataclasses import replace

from preflight import check
from preflight.kms import kms_alias_names_unique
from preview.plan import PlannedResource
from tests.preflight.broken import plan, resource, rules_fired

EAST_PROVIDER = "urn:pulumi:test::webstack::pulumi:providers:aws::us-east-1"


def alias(name: str, alias_name: str, provider: str = "") -> PlannedResource:
    planned = resource("aws:kms/alias:Alias", name, {"name": alias_name, "targetKeyId": "k"})
    return replace(planned, provider=f"{provider}::east-id") if provider else planned


def east_provider() -> PlannedResource:
    return PlannedResource(urn=EAST_PROVIDER, type="pulumi:providers:aws", name="us-east-1",
                           inputs={"region": "us-east-1"}, custom=True, id="east-id")


def test_two_aliases_of_one_name_in_one_region_are_refused():
    broken = plan(alias("logs-alias", "alias/web-logs"), alias("edge-alias", "alias/web-logs"))
    assert "kms_alias_names_unique" in rules_fired(check(broken))


def test_one_name_in_two_regions_is_allowed():
    fine = plan(east_provider(), alias("logs-alias", "alias/web-logs"),
                alias("edge-alias", "alias/web-logs", EAST_PROVIDER))
    assert kms_alias_names_unique(fine) == []


def test_the_edge_logs_key_has_an_alias_of_its_own(staging_plan):
    """Its alias would collide with the stack's own logs key's in a stack run in us-east-1
    (a shared plan here: a us-east-1 preview costs ~3 s; the rule above covers the region)."""
    names = [r.inputs["name"] for r in staging_plan.of_type("aws:kms/alias:Alias")
             if r.inputs["name"].endswith("logs")]
    assert sorted(names) == ["alias/webstack-staging-edge-logs", "alias/webstack-staging-logs"]
