"""`python -m preview <stack> [--config-file FILE] [--json] [--set key=value ...]
[--policies [--policy-config FILE]] [--report-only] [--format markdown] [--cost] [--unknowns]`:
what `pulumi preview` would create, what preflight says AWS would refuse at `pulumi up` and, with
`--policies`, what the policy pack says of it. `--unknowns` previews as for a brand-new stack:
ids, ARNs, DNS names and endpoints are not known yet. `--config-file FILE` reads the stack's
config from FILE instead of Pulumi.<stack>.yaml, as `pulumi preview --config-file` does (e.g.
examples/greenflow.yaml). This command sits above both the preview engine and the policy runner:
it builds the plan, then hands that plan to `preflight`, to `policies.offline` and, with `--cost`,
to the `cost` estimator.

Exit codes: 0 previewed (with `--policies`: no mandatory violation); 1 preflight found an error or
the policy check a mandatory violation; 2 bad input (stack config or files, `--set`, the policy
config, the command line), told in one message on stderr, never a traceback.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Optional, Sequence

import preflight
from config.key_names import full_name
from config.keys import ConfigError
from cost import Estimate, UsageError
from cost.report import report as cost_report
from policies.markdown_report import render_check
from policies.offline import PolicyCheck, PolicyConfigError, evaluate, read_pack_config, stack_config_file
from preview.costing import estimate_plan
from preview.engine import pause_full_collections, run_preview
from preview.plan import Plan
from preview.render import as_json, as_text
from preview.stack_files import StackFileError

EXIT_OK = 0
EXIT_POLICY_VIOLATION = 1
EXIT_BAD_CONFIG = 2
BAD_INPUT = (ConfigError, StackFileError, PolicyConfigError, UsageError)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m preview", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("stack", nargs="?", default="dev", help="stack name (default: dev)")
    parser.add_argument("--config-file", type=Path, metavar="FILE",
                        help="read the stack's config from FILE instead of Pulumi.<stack>.yaml, "
                             "as `pulumi preview --config-file` (e.g. examples/greenflow.yaml)")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="override a config value, as `pulumi config set` would")
    parser.add_argument("--policies", action="store_true",
                        help="check the plan with the policy pack and policies/config/<stack>.json")
    parser.add_argument("--policy-config", type=Path, metavar="FILE",
                        help="check with this policy config instead (implies --policies)")
    parser.add_argument("--report-only", action="store_true",
                        help="print the policy report alone, without the tree (implies --policies)")
    parser.add_argument("--format", choices=["text", "markdown"], default="text",
                        help="markdown: print only the policy report, as Markdown (the PR comment)")
    parser.add_argument("--cost", action="store_true",
                        help="add the plan's monthly estimate (prices: cost/prices.json, usage: "
                             "cost/usage/<stack>.json)")
    parser.add_argument("--unknowns", action="store_true",
                        help="first-run mode: computed outputs (ids, ARNs, names, endpoints) unknown")
    return parser.parse_args(argv)


def overrides(pairs: Sequence[str]) -> dict[str, str]:
    """`--set KEY=VALUE` pairs by key; the preview engine then refuses keys webstack does not read."""
    result: dict[str, str] = {}
    keys_by_name: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise StackFileError(f"--set {pair!r}: expected KEY=VALUE, e.g. --set appPort=8080")
        earlier = keys_by_name.setdefault(full_name(key), key)
        if earlier in result:
            raise StackFileError(f"--set {key}: given twice ({result[earlier]!r} and {value!r}); "
                                 "give it once")
        result[key] = value
    return result


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    checked = args.policies or args.report_only
    policy_config = args.policy_config or (stack_config_file(args.stack) if checked else None)
    return run(args.stack, sets=args.set, policy_config=policy_config, json_output=args.json,
               show_plan=not args.report_only, markdown=args.format == "markdown",
               with_cost=args.cost, unknowns=args.unknowns, config_file=args.config_file)


def run(stack: str, *, sets: Sequence[str] = (), policy_config: Optional[Path] = None,
        json_output: bool = False, show_plan: bool = True, markdown: bool = False,
        with_cost: bool = False, unknowns: bool = False,
        config_file: Optional[Path] = None) -> int:
    """Previews `stack` once and, given a policy config, checks that same plan; prints; returns
    the exit code. The policy config is read and checked before the preview, so a bad file
    fails at once."""
    try:
        pack_config = read_pack_config(policy_config) if policy_config else None
        plan = run_preview(stack, overrides=overrides(sets), unknowns=unknowns,
                           config_file=config_file)
        estimate = estimate_plan(plan) if with_cost else None
    except BAD_INPUT as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_BAD_CONFIG
    check = PolicyCheck(policy_config, evaluate(plan, pack_config)) if policy_config else None
    findings = preflight.check(plan)
    print(markdown_output(stack, check, findings) if markdown and check
          else output(plan, check, json_output, show_plan, estimate, findings))
    failed = (check and check.failed) or preflight.errors(findings)
    return EXIT_POLICY_VIOLATION if failed else EXIT_OK


def markdown_output(stack: str, check: PolicyCheck, findings: Sequence) -> str:
    """The policy report as Markdown (the PR comment), then preflight's findings, if any, as text."""
    shown = [render_check(stack, check)]
    if findings:
        shown.append("```\n" + preflight.report(findings, stack) + "\n```")
    return "\n\n".join(shown)


def output(plan: Plan, check: Optional[PolicyCheck], json_output: bool, show_plan: bool,
           estimate: Optional[Estimate] = None, findings: Sequence = ()) -> str:
    if json_output:
        data = json.loads(as_json(plan, policies=check.as_data() if check else None,
                                  cost=estimate.as_data() if estimate else None))
        data["preflight"] = [vars(f) for f in findings]
        return json.dumps(data, indent=2)
    parts = (([as_text(plan)] if show_plan else []) + [preflight.report(findings, plan.stack)]
             + ([check.report()] if check else []))
    parts += [cost_report(estimate, f"Monthly cost estimate of '{plan.stack}'")] if estimate else []
    return "\n\n".join(parts)


if __name__ == "__main__":
    # A one-shot command: the full collection a preview defers would come during the policy
    # check; the interpreter collects at exit anyway.
    pause_full_collections()
    sys.exit(main(sys.argv[1:]))
