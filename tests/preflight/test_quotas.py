"""Quotas one account reaches across stacks, and every stack passing preflight."""
import pytest

import preflight
from preflight import quotas
from tests.conftest import STACKS
from tests.preflight.broken import plan, resource


def eips(count, stack):
    return plan(*[resource(quotas.EIP, f"eip-{i}", {}) for i in range(count)], stack=stack)


def test_elastic_ips_of_all_stacks_in_one_region_count_against_one_quota():
    [finding] = quotas.elastic_ips_per_region([eips(1, "dev"), eips(1, "staging"), eips(4, "prod")])
    assert finding.severity == "error" and "6 Elastic IPs in ap-northeast-2" in finding.message
    [at_quota] = quotas.elastic_ips_per_region([eips(1, "dev"), eips(4, "prod")])
    assert at_quota.severity == "warning"
    assert quotas.elastic_ips_per_region([eips(1, "dev"), eips(3, "prod")]) == []


def test_vpcs_with_the_default_one_beyond_five_are_flagged():
    plans = [plan(*[resource(quotas.VPC, f"vpc-{i}", {}) for i in range(5)])]
    assert quotas.vpcs_per_region(plans)


@pytest.mark.parametrize("stack", STACKS)
def test_every_stack_passes_preflight(plan_of, stack):
    assert preflight.errors(preflight.check(plan_of(stack))) == []


def test_the_three_stacks_fit_one_accounts_quotas(plan_of):
    """dev's backend EIP, staging's NAT EIP and prod's three: 5, exactly the default quota."""
    findings = preflight.check_account([plan_of(stack) for stack in STACKS])
    assert preflight.errors(findings) == []
    assert [f.rule for f in findings] == ["elastic_ips_per_region"]


def test_every_rule_cites_a_page():
    for rule in preflight.PLAN_RULES + preflight.ACCOUNT_RULES:
        assert rule.source.startswith("https://"), rule.__name__
