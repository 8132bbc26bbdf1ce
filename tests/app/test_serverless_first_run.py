"""First-run mode (`--unknowns`) of the serverless examples: with every computed id, ARN and
version unknown, as in a brand-new stack's preview, the program still registers its functions,
alias, rollout and API, preflight passes and no mandatory policy fires."""
import pytest

import preflight
from policies.offline import evaluate, has_mandatory, read_pack_config
from preflight.model import UNKNOWN
from preview.engine import REPO_ROOT
from preview.examples import EXAMPLES, preview_example
from tests.app.serverless_checks import ALIAS, FUNCTION, GROUP, INVOCATION, METHOD

SERVERLESS = [e for e in EXAMPLES if e.tier == "serverless"]


@pytest.mark.parametrize("example", SERVERLESS, ids=lambda e: e.stack)
def test_a_serverless_example_previews_on_its_first_run(example):
    plan = preview_example(example, unknowns=True)
    assert preflight.errors(preflight.check(plan)) == []
    violations = evaluate(plan, read_pack_config(REPO_ROOT / example.policy_config))
    assert not has_mandatory(violations), [v for v in violations if v.level == "mandatory"]
    counts = plan.count_by_type()
    # the app function and the deployer; one alias, deployment group and deployment; ANY on
    # /api and /api/{proxy+}
    assert [counts[t] for t in (FUNCTION, ALIAS, GROUP, INVOCATION, METHOD)] == [2, 1, 1, 1, 2]
    [invocation] = plan.of_type(INVOCATION)
    [alias] = plan.of_type(ALIAS)
    # The version a first run publishes is not known yet: the alias and the deployment wait for it.
    assert invocation.inputs["triggers"] == {"targetVersion": UNKNOWN}
    assert alias.inputs["functionVersion"] == UNKNOWN
