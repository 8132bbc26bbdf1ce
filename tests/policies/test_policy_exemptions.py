"""Exemptions per resource: honoured by the policies themselves (so by the CLI too), listed in the
report, reported when expired or unused, and validated as strictly as the rest of the config."""
import datetime

import pytest
from policy_kit import POLICIES, UNKNOWN, res, security_group
from preview.plan import Plan
from pulumi_policy import ReportViolation, ResourceValidationArgs

from policies import _aws as aws
from policies import exemptions
from policies.offline import evaluate, format_report, has_mandatory
from policies.pack_config import PolicyConfigError, reconcile_config

OPEN_SSH = {"ingress": [{"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrBlocks": ["0.0.0.0/0"]}]}
POLICY = "sg-admin-ports-from-admin-cidrs"


def _bastion(name: str = "bastion-sg") -> object:
    return res(aws.SECURITY_GROUP, {**security_group("edge"), **OPEN_SSH}, name=name)


def _exempt(*entries: dict) -> dict:
    return {POLICY: {"exemptions": list(entries)}}


def _run(plan_resources, pack_config):
    return [v for v in evaluate(Plan("t", list(plan_resources)), pack_config, policies=[POLICIES[POLICY]])]


def test_an_exempted_resource_passes_and_the_report_lists_the_exemption():
    found = _run([_bastion(), _bastion("other-sg")], _exempt({"resource": "bastion-sg", "reason": "OPS-12 bastion"}))
    assert not any(v.mandatory and v.name == "bastion-sg" for v in found)
    assert [v.name for v in found if v.mandatory] == ["other-sg"]  # only the named resource is exempt
    exempted = [v for v in found if v.exempted]
    assert [(v.name, v.policy) for v in exempted] == [("bastion-sg", POLICY)]
    report = format_report(found)
    assert "[exempted] (1)" in report and "exempted: OPS-12 bastion" in report
    assert "1 mandatory, 0 advisory" in report


def test_a_urn_glob_exempts_every_match():
    pattern = f"urn:pulumi:*::{aws.SECURITY_GROUP}::bastion-*"
    found = _run([_bastion("bastion-a"), _bastion("bastion-b")], _exempt({"resource": pattern, "reason": "r"}))
    assert not has_mandatory(found) and len([v for v in found if v.exempted]) == 2


def test_an_expired_exemption_no_longer_applies_and_is_reported(monkeypatch):
    monkeypatch.setattr(exemptions, "today", lambda: datetime.date(2027, 4, 1))
    found = _run([_bastion()], _exempt({"resource": "bastion-sg", "reason": "r", "expires": "2027-03-31"}))
    mandatory = [v for v in found if v.mandatory]
    assert len(mandatory) == 1 and "expired on 2027-03-31" in mandatory[0].message
    assert [v.message for v in found if v.policy == "policy-exemptions"] == [
        f"{POLICY}: exemption 'bastion-sg' expired on 2027-03-31"]


def test_an_exemption_still_applies_on_its_last_day(monkeypatch):
    monkeypatch.setattr(exemptions, "today", lambda: datetime.date(2027, 3, 31))
    found = _run([_bastion()], _exempt({"resource": "bastion-sg", "reason": "r", "expires": "2027-03-31"}))
    assert not has_mandatory(found)


def test_an_unused_exemption_is_reported():
    found = _run([], _exempt({"resource": "gone-sg", "reason": "was a bastion"}))
    assert [(v.policy, v.level, v.message) for v in found] == [
        ("policy-exemptions", "advisory", f"{POLICY}: exemption 'gone-sg' matches no violation of this stack")]


def test_stack_policies_honour_exemptions_too():
    bucket = res(aws.BUCKET, {"bucketPrefix": "site-"}, name="public-site")
    config = {"s3-public-access-blocked": {"exemptions": [{"resource": "public-site", "reason": "static site"}]}}
    found = evaluate(Plan("t", [bucket]), config, policies=[POLICIES["s3-public-access-blocked"]])
    assert [v.level for v in found] == ["exempted"]


def test_the_policy_itself_honours_exemptions_as_under_the_cli():
    """No offline evaluator: the validate function the CLI calls gets the config and drops it."""
    reported = []
    args = ResourceValidationArgs(aws.SECURITY_GROUP, {**OPEN_SSH}, "urn:pulumi:s::p::t::bastion-sg",
                                  "bastion-sg", None, None,
                                  {"adminPorts": [22], "adminCidrs": [],
                                   "exemptions": [{"resource": "bastion-sg", "reason": "r"}]}, {})
    report: ReportViolation = lambda message, urn=None: reported.append(message)
    POLICIES[POLICY].validate(args, report)
    assert reported == []
    args.get_config = lambda: {"adminPorts": [22], "adminCidrs": []}
    POLICIES[POLICY].validate(args, report)
    assert len(reported) == 1


@pytest.mark.parametrize("entry, problem", [
    ({"resource": "x"}, f"{POLICY}.exemptions[0].reason is missing"),
    ({"resource": "x", "reason": "  "}, f"{POLICY}.exemptions[0].reason is '  '"),
    ({"reason": "r"}, f"{POLICY}.exemptions[0].resource is missing"),
    ({"resource": "x", "reason": "r", "expires": "31/03/2027"},
     f"{POLICY}.exemptions[0].expires = '31/03/2027' is not a date; allowed: YYYY-MM-DD"),
    ({"resource": "x", "reason": "r", "expires": "2027-02-30"}, f"{POLICY}.exemptions[0].expires = '2027-02-30'"),
    ({"resource": "x", "reason": "r", "until": "2027-01-01"},
     f"{POLICY}.exemptions[0].until is not a field of an exemption; allowed: resource, reason, expires"),
    ("bastion-sg", f"{POLICY}.exemptions[0] is not an object"),
])
def test_malformed_exemptions_are_refused_naming_the_key(entry, problem):
    with pytest.raises(PolicyConfigError) as refused:
        reconcile_config(_exempt(entry))
    assert len(refused.value.problems) == 1 and refused.value.problems[0].startswith(problem)


def test_exemptions_must_be_a_list_and_each_resource_exempted_once():
    with pytest.raises(PolicyConfigError, match="exemptions = \"bastion-sg\" is not valid; allowed: a list"):
        reconcile_config({POLICY: {"exemptions": "bastion-sg"}})
    twice = {"resource": "bastion-sg", "reason": "r"}
    with pytest.raises(PolicyConfigError, match=r"exemptions\[1\]\.resource = \"bastion-sg\" is exempted twice"):
        reconcile_config(_exempt(twice, twice))


def test_an_unknown_resource_name_is_never_matched_by_accident():
    """A glob matches names and URNs; an unknown value (no name) never matches."""
    exemption = exemptions.Exemption("bastion-*", "r")
    assert exemption.matches("bastion-sg", None) and not exemption.matches(None, None)
    assert not exemption.matches(UNKNOWN, None)


def test_pulumi_policys_own_analyzer_applies_exemptions_from_the_policy_config():
    """The CLI path: Configure with the stack's policy config, then Analyze / AnalyzeStack."""
    from cli_analyzer import cli_findings
    from pulumi_policy.policy import _PolicyAnalyzerServicer

    from policies.pack import ALL_POLICIES, PACK_ENFORCEMENT_LEVEL, PACK_NAME

    bastion, other = _bastion(), _bastion("other-sg")
    public_site = res(aws.BUCKET, {"bucketPrefix": "site-"}, name="public-site")
    pack_config = {**_exempt({"resource": "bastion-sg", "reason": "OPS-12"}),
                   "s3-public-access-blocked": {"exemptions": [{"resource": "public-*", "reason": "static site"}]}}
    servicer = _PolicyAnalyzerServicer(PACK_NAME, "0.0.1", ALL_POLICIES, PACK_ENFORCEMENT_LEVEL)
    found = cli_findings(lambda method, request: getattr(servicer, method)(request, None),
                         Plan("t", [bastion, other, public_site]), reconcile_config(pack_config))
    blamed = {(policy, urn) for policy, urn, level, _ in found if level == "mandatory"}
    assert (POLICY, other.urn) in blamed and (POLICY, bastion.urn) not in blamed
    assert ("s3-public-access-blocked", public_site.urn) not in blamed
    assert ("s3-bucket-encrypted", public_site.urn) in blamed  # exempt from one policy only
