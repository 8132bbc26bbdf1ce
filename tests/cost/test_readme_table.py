"""README.md's cost table is the tool's output for each stack, and `--cost` reaches the command line."""
import json
from pathlib import Path

import pytest

import cost.usage
from cost import load_prices
from cost.report import summary_table
from preview import __main__ as cli
from preview.costing import estimate_plan

README = Path(__file__).resolve().parents[2] / "README.md"
START, END = "<!-- cost-table:start (python -m preview.costing) -->", "<!-- cost-table:end -->"
STACKS = ["dev", "staging", "prod"]
PRICES = load_prices()


def readme_table() -> str:
    text = README.read_text(encoding="utf-8")
    return text[text.index(START) + len(START):text.index(END)].strip()


def test_the_readme_cost_table_is_the_tools_output(plan_of):
    assert readme_table() == summary_table({stack: estimate_plan(plan_of(stack)) for stack in STACKS})


def test_cost_under_json_and_in_text(plan_of):
    plan = plan_of("dev")
    estimate = estimate_plan(plan)
    data = json.loads(cli.output(plan, None, True, True, estimate))
    assert data["cost"]["monthlyUsd"] == estimate.total and data["cost"]["notPriced"]
    assert sum(line["monthlyUsd"] or 0 for line in data["cost"]["lines"]) == pytest.approx(estimate.total, abs=0.05)
    assert f"Monthly cost estimate of 'dev' (on-demand USD, ap-northeast-2): ${estimate.total:,.2f}" in \
        cli.output(plan, None, False, False, estimate)
    assert "cost" not in json.loads(cli.output(plan, None, True, True, None))


def test_a_bad_usage_file_exits_2_with_one_message(plan_of, monkeypatch, tmp_path, capsys):
    (tmp_path / "dev.json").write_text('{"natGb": 3}')
    monkeypatch.setattr(cost.usage, "USAGE_DIR", tmp_path)
    monkeypatch.setattr(cli, "run_preview", lambda stack, overrides=None, **_: plan_of(stack))
    assert cli.main(["dev", "--cost"]) == cli.EXIT_BAD_CONFIG
    err = capsys.readouterr().err
    assert err.startswith("error: Invalid usage assumptions in cost/usage/dev.json") and "natGb" in err


def _sum(estimate, *words):
    return round(sum(l.monthly_usd for l in estimate.priced if all(w in f"{l.resource} {l.item}" for w in words)), 2)


def _goals() -> str:
    text = README.read_text(encoding="utf-8")
    return text[text.index("**Goals**"):text.index("## Security properties")]


def test_the_goal_analysis_quotes_the_tools_figures(plan_of):
    goals = _goals()
    staging, prod = estimate_plan(plan_of("staging")), estimate_plan(plan_of("prod"))
    quoted = {_sum(staging, "NAT gateway"), _sum(staging, "RDS gp3"), prod.by_group()["Load balancing"],
              staging.by_group()["Load balancing"], staging.by_group()["Compute"], _sum(staging, "WAF"),
              _sum(prod, "NAT gateway"), _sum(prod, "Fargate"), prod.by_group()["Database"], _sum(prod, "WAF")}
    for usd in quoted:
        assert f"${usd:,.2f}" in goals, usd
    assert f"about ${1100 - prod.total:,.0f}" in goals
    arm = round(3 * 730 * (PRICES.get("ap-northeast-2", "fargate.arm64.vcpu").usd * 1
                           + PRICES.get("ap-northeast-2", "fargate.arm64.gb").usd * 2), 2)
    assert f"Graviton (ARM64) Fargate tasks (${arm:,.2f}" in goals


def test_the_dev_proposal_is_the_tools_figure():
    from preview.engine import run_preview
    plan = run_preview("dev", overrides={"dbInstanceClass": "db.t4g.micro", "cacheNodeType": "cache.t4g.micro"})
    dev, goals = estimate_plan(plan), _goals()
    redis, dashboard = _sum(dev, "ElastiCache"), _sum(dev, "dashboard")
    keys = [l for l in dev.priced if l.item == "KMS customer managed key"]
    stores_and_backend = sum(_sum(dev, word) for word in ("RDS", "ElastiCache", "backend-instance", "IPv4"))
    assert f"gives ${dev.total:,.2f}" in goals and f"are ${stores_and_backend:,.2f}" in goals
    assert f"dev is ${dev.total - redis:,.2f}" in goals
    # one key per region: dev's keys are three in its region and one in us-east-1
    assert len(keys) == 4 and f"${dev.total - redis - dashboard - 2 * keys[0].monthly_usd:,.2f} without" in goals
