"""Benchmark of the offline preview: wall time and peak memory, against a bare-import floor.

Run from anywhere (stdlib only; uses the interpreter that runs it, so run it with the venv):

    make bench                                    # = .venv/bin/python bench/preview_bench.py
    .venv/bin/python bench/preview_bench.py --runs 5 --markdown
    .venv/bin/python bench/preview_bench.py --json bench/results/latest.json

What it measures, each in a fresh subprocess (cwd = repo root, stdout discarded):

* floor   - per stack, `python -c "import pulumi, ...; from pulumi_aws.ec2 import Vpc; ..."`: the
            pulumi runtime modules the preview engine uses, yaml, and every resource class that
            stack's plan registers (read from one `--json` preview of it first); each run is
            compared with its own stack's floor. Importing `pulumi_aws`
            alone loads none of its service modules, so a floor without them would flatter the
            program: this one is what any program building the same resources must import;
* preview - `python -m preview <stack> --json` for every `Pulumi.<stack>.yaml` at the repo root;
            a stack whose preview exits non-zero is reported as "fails: exit N";
* policies - `python -m preview <stack> --json --policies` for the same stacks: the preview, then
            the policy pack over its plan (exit 0 expected: every stack passes its mandatory
            policies); its time minus the preview's is the policy check's;
* prod first run and cost - `python -m preview prod --json --policies --unknowns`, and
            `... --policies --cost`;
* reject  - `python -m preview dev --set dbInstanceClass=db.x9.large`: time for a wrong config
            value to be rejected (exit code 2 expected).

Each run goes through its own fresh probe interpreter, which starts the command, waits for it and
reads `resource.getrusage(RUSAGE_CHILDREN).ru_maxrss`: the probe's only child is the command, so
the figure is that run's peak RSS (this process's RUSAGE_CHILDREN would be a max over all runs).
Runs are interleaved (round-robin) so drift on the machine spreads evenly over the measurements.
Figures: median wall time (min-max), median peak RSS in MiB, and ratios to the floor.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

REPO_ROOT = Path(__file__).resolve().parent.parent
STACK_ORDER = ("dev", "staging", "prod")
EXIT_BAD_CONFIG = 2
BAD_CONFIG = "dbInstanceClass=db.x9.large"
# The runtime imports of a preview: preview/engine.py (pulumi + its runtime), stack files (yaml);
# the resource classes come from the plans (floor_imports).
RUNTIME_MODULES = ("pulumi", "pulumi.runtime.mocks", "pulumi.runtime.settings",
                   "pulumi.runtime.config", "pulumi.runtime.rpc", "pulumi.runtime.stack",
                   "pulumi.runtime.sync_await", "yaml")
PACKAGES = {"aws": "pulumi_aws", "random": "pulumi_random"}

# Runs argv[1:] once, stdout discarded; prints exit code, wall time, max RSS, first stderr lines.
PROBE = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
proc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
wall = time.perf_counter() - start
maxrss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"exit": proc.returncode, "wall_s": wall, "maxrss": maxrss,
                  "stderr": proc.stderr.strip().splitlines()[:5]}))
"""


@dataclass
class Measurement:
    name: str
    argv: list[str]
    expected_exit: int = 0
    walls: list[float] = field(default_factory=list)
    rss_mib: list[float] = field(default_factory=list)
    failure: Optional[dict] = None  # first run whose exit code was not the expected one
    floor: Optional[str] = None  # the stack whose floor this run is compared with

    @property
    def ok(self) -> bool:
        return self.failure is None and bool(self.walls)


def stacks(root: Path = REPO_ROOT) -> list[str]:
    names = [p.name[len("Pulumi."):-len(".yaml")] for p in root.glob("Pulumi.*.yaml")]
    return sorted(names, key=lambda s: (STACK_ORDER.index(s) if s in STACK_ORDER else 99, s))


def class_import(type_token: str) -> Optional[str]:
    """`aws:ec2/vpc:Vpc` -> `from pulumi_aws.ec2 import Vpc`; `pulumi:providers:aws` -> the
    package's Provider; None for component types, which are the program's own."""
    if type_token.startswith("pulumi:providers:"):
        package = PACKAGES.get(type_token.rsplit(":", 1)[1])
        return f"from {package} import Provider" if package else None
    package_key, _, rest = type_token.partition(":")
    package = PACKAGES.get(package_key)
    if not package or "/" not in rest:
        return None
    module, class_name = rest.split("/")[0], rest.rsplit(":", 1)[1]
    return f"from {package}{'' if module == 'index' else '.' + module} import {class_name}"


def floor_imports(stack: str, root: Path = REPO_ROOT) -> list[str]:
    """Every import statement the stack's floor runs: the runtime, then each class its plan
    registers, once."""
    plan = subprocess.run([sys.executable, "-m", "preview", stack, "--json"], cwd=root,
                          capture_output=True, text=True, check=True)
    types = {r["type"] for r in json.loads(plan.stdout)["resources"]}
    classes = sorted({line for line in map(class_import, types) if line})
    return ["import " + ", ".join(RUNTIME_MODULES), *classes]


def measurements(root: Path = REPO_ROOT) -> list[Measurement]:
    py = sys.executable
    result = [Measurement(f"floor {stack} (runtime + the classes its plan registers)",
                          [py, "-c", "; ".join(floor_imports(stack, root))], floor=stack)
              for stack in stacks(root)]
    result += [Measurement(f"preview {stack}", [py, "-m", "preview", stack, "--json"], floor=stack)
               for stack in stacks(root)]
    result += [Measurement(f"preview {stack} + policy check",
                           [py, "-m", "preview", stack, "--json", "--policies"], floor=stack)
               for stack in stacks(root)]
    result.append(Measurement("preview prod, first run (--unknowns) + policy check",
                              [py, "-m", "preview", "prod", "--json", "--policies", "--unknowns"],
                              floor="prod"))
    result.append(Measurement("preview prod + policy check + cost",
                              [py, "-m", "preview", "prod", "--json", "--policies", "--cost"],
                              floor="prod"))
    result.append(Measurement("reject bad config (dev)",
                              [py, "-m", "preview", "dev", "--set", BAD_CONFIG],
                              expected_exit=EXIT_BAD_CONFIG, floor="dev"))
    return result


def rss_to_mib(maxrss: int) -> float:
    # ru_maxrss is in KiB on Linux, in bytes on macOS.
    return maxrss / (1024 * 1024) if sys.platform == "darwin" else maxrss / 1024


def run_once(argv: list[str]) -> dict:
    probe = subprocess.run([sys.executable, "-c", PROBE, *argv], cwd=REPO_ROOT,
                           capture_output=True, text=True, check=True)
    return json.loads(probe.stdout)


def record(m: Measurement) -> None:
    run = run_once(m.argv)
    if run["exit"] != m.expected_exit:
        m.failure = run  # no point repeating a run that fails; stop measuring this one
        return
    m.walls.append(run["wall_s"])
    m.rss_mib.append(rss_to_mib(run["maxrss"]))


def bench(ms: list[Measurement], runs: int) -> None:
    for round_no in range(1, runs + 1):
        print(f"round {round_no}/{runs}", file=sys.stderr, flush=True)
        for m in ms:
            if m.failure is None:
                record(m)


def summary(m: Measurement, floor: Measurement) -> dict:
    out = {"name": m.name, "command": " ".join(Path(a).name if i == 0 else a
                                               for i, a in enumerate(m.argv)),
           "expected_exit": m.expected_exit, "runs": len(m.walls)}
    if not m.ok:
        return {**out, "status": f"fails: exit {m.failure['exit']}",
                "stderr": m.failure.get("stderr", [])}
    wall, rss = statistics.median(m.walls), statistics.median(m.rss_mib)
    out.update(status="ok", wall_s={"median": wall, "min": min(m.walls), "max": max(m.walls),
                                    "all": m.walls},
               rss_mib={"median": rss, "min": min(m.rss_mib), "max": max(m.rss_mib),
                        "all": m.rss_mib})
    if floor.ok:
        out["time_vs_floor"] = wall / statistics.median(floor.walls)
        out["rss_vs_floor"] = rss / statistics.median(floor.rss_mib)
    return out


def machine() -> dict:
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {"nproc": cpus, "python": platform.python_version(),
            "implementation": platform.python_implementation(),
            "platform": f"{platform.system()} {platform.machine()}", "executable": sys.executable}


HEADERS = ("Measurement", "Status", "Wall median (s)", "Wall min-max (s)",
           "Peak RSS median (MiB)", "Time x floor", "RSS x floor")


def row(s: dict) -> list[str]:
    if s["status"] != "ok":
        return [s["name"], s["status"], "-", "-", "-", "-", "-"]
    w, r = s["wall_s"], s["rss_mib"]
    ratio = lambda key: f"{s[key]:.2f}x" if key in s else "-"  # noqa: E731
    return [s["name"], "ok", f"{w['median']:.2f}", f"{w['min']:.2f}-{w['max']:.2f}",
            f"{r['median']:.1f}", ratio("time_vs_floor"), ratio("rss_vs_floor")]


def text_table(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [list(HEADERS), *rows]) for i in range(len(HEADERS))]
    fmt = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()  # noqa: E731
    return "\n".join([fmt(HEADERS), fmt(["-" * w for w in widths]), *map(fmt, rows)])


def markdown_table(rows: list[list[str]]) -> str:
    line = lambda cells: "| " + " | ".join(cells) + " |"  # noqa: E731
    align = ["---", "---"] + ["---:"] * (len(HEADERS) - 2)
    return "\n".join([line(HEADERS), line(align), *map(line, rows)])


def footer(facts: dict, runs: int) -> str:
    plural = "s" if runs > 1 else ""
    return (f"{runs} run{plural} each, fresh subprocess per run; Python {facts['python']}, "
            f"{facts['nproc']} CPUs, {facts['platform']}.")


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Benchmark the offline preview (see docstring).")
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement (default 5)")
    parser.add_argument("--json", metavar="PATH", type=Path, help="also write the figures as JSON")
    parser.add_argument("--markdown", action="store_true",
                        help="print a Markdown table (for the README) instead of the text table")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    return args


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    ms = measurements()
    bench(ms, args.runs)
    floors = {m.floor: m for m in ms if m.name.startswith("floor ")}
    summaries = [summary(m, floors[m.floor]) for m in ms]
    facts = machine()
    rows = [row(s) for s in summaries]
    if args.markdown:
        print(markdown_table(rows) + "\n\n" + footer(facts, args.runs))
    else:
        print(text_table(rows) + "\n\n" + footer(facts, args.runs))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"machine": facts, "runs": args.runs,
                                         "results": summaries}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
