"""Keys a deployed stack cannot change: recorded at every `pulumi up`, refused by name on the
next preview before anything is registered; a major engine upgrade goes through."""
import pytest

from config.keys import ConfigError
from preview.engine import run_preview

PATH = "/webstack/staging/immutable"
DEPLOYED = {f"{PATH}/dbName": "app", f"{PATH}/dbUsername": "webstack_admin",
            f"{PATH}/vpcCidr": "10.20.0.0/16", f"{PATH}/dbEngineVersion": "16"}


def preview_after_deploy(**overrides):
    registered = []
    plan = run_preview("staging", overrides=overrides, registrations=registered,
                       deployed_parameters=DEPLOYED)
    return plan, registered


def test_every_run_records_the_immutable_values(staging_plan):
    recorded = {p.inputs["name"]: p.inputs["value"]
                for p in staging_plan.of_type("aws:ssm/parameter:Parameter")}
    assert recorded == DEPLOYED


@pytest.mark.parametrize("key, value", [("dbName", "shop"), ("dbUsername", "owner"),
                                        ("vpcCidr", "10.99.0.0/16")])
def test_changing_an_immutable_key_is_refused_by_name_before_anything_is_registered(key, value):
    registered = []
    with pytest.raises(ConfigError, match=rf"webstack:{key} = '{value}' is not valid; allowed: "):
        run_preview("staging", overrides={key: value}, registrations=registered,
                    deployed_parameters=DEPLOYED)
    assert not [r for r in registered if r.custom and not r.type.startswith("pulumi:providers")]


def test_a_major_downgrade_is_refused_and_an_upgrade_goes_through():
    with pytest.raises(ConfigError, match="dbEngineVersion = '15' .*16 or later"):
        preview_after_deploy(dbEngineVersion="15")
    plan, _ = preview_after_deploy(dbEngineVersion="17")
    [db] = plan.of_type("aws:rds/instance:Instance")
    assert db.inputs["engineVersion"] == "17" and db.inputs["allowMajorVersionUpgrade"] is True
    assert plan.one("aws:rds/parameterGroup:ParameterGroup").inputs["family"] == "postgres17"
