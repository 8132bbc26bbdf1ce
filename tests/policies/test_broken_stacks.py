"""A deliberately broken copy of each stack fails with the named mandatory policy; the stack as
written passes it. The break is made inside the real program (see broken_program.py)."""
import pytest
from broken_program import BREAKAGES, BUILDABLE_STACKS, Breakage, preview_broken

from policies.offline import evaluate, format_report, load_pack_config


@pytest.mark.parametrize("breakage", BREAKAGES, ids=lambda b: b.name)
@pytest.mark.parametrize("stack", BUILDABLE_STACKS)
def test_a_broken_copy_fails_with_the_named_policy(stack, breakage: Breakage, monkeypatch, plan_of):
    plan = preview_broken(stack, breakage, monkeypatch)
    broken = breakage.broken_inputs(plan)
    assert broken, f"nothing in {stack} took the change: the program no longer calls aws.{breakage.resource_class} so"

    violations = evaluate(plan, load_pack_config(stack))
    mandatory = [v for v in violations if v.mandatory]
    assert {v.policy for v in mandatory} == breakage.policies, "\n" + format_report(violations)
    assert {v.urn for v in mandatory} <= {r.urn for r in broken}  # it blames the broken resource

    intact = evaluate(plan_of(stack), load_pack_config(stack))  # the stack as written
    assert not {v.policy for v in intact} & breakage.policies, "\n" + format_report(intact)
