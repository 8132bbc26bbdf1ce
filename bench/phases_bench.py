"""Where the time of one offline preview goes, in one warm process: the preview itself, preflight,
the policy pack and the cost estimate over the plan it built.

    .venv/bin/python bench/phases_bench.py [--runs 5] [--markdown]

Each phase runs `--runs` times per stack after one warm-up preview (which pays the imports, as the
whole-process benchmark in preview_bench.py measures separately); figures are medians in ms.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import preflight  # noqa: E402
from policies.offline import evaluate, load_pack_config  # noqa: E402
from preview.costing import estimate_plan  # noqa: E402
from preview.engine import run_preview  # noqa: E402

STACKS = ("dev", "staging", "prod")


def median_ms(action: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def phases(stack: str, runs: int) -> dict[str, float]:
    plan = run_preview(stack)  # warm-up
    pack_config = load_pack_config(stack)
    return {"resources": len([r for r in plan.resources if r.custom]),
            "preview": median_ms(lambda: run_preview(stack), runs),
            "first-run preview": median_ms(lambda: run_preview(stack, unknowns=True), runs),
            "preflight": median_ms(lambda: preflight.check(plan), runs),
            "policy pack": median_ms(lambda: evaluate(plan, pack_config), runs),
            "cost estimate": median_ms(lambda: estimate_plan(plan), runs)}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args(argv)
    rows = {stack: phases(stack, args.runs) for stack in STACKS}
    columns = list(next(iter(rows.values())))
    if args.markdown:
        print("| stack | " + " | ".join(columns) + " |")
        print("|---|" + "---:|" * len(columns))
        for stack, row in rows.items():
            print(f"| {stack} | {row['resources']} | " + " | ".join(
                f"{row[c]:.1f} ms" for c in columns[1:]) + " |")
    else:
        for stack, row in rows.items():
            print(stack, {k: round(v, 2) for k, v in row.items()})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
