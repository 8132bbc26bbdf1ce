"""Benchmark of the offline preview: wall time and peak memory, against a bare-import floor.

Run from anywhere (stdlib and PyYAML; uses the interpreter that runs it, so run it with the venv):

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
            value to be rejected (exit code 2 expected);
* scale   - `python -m preview prod --config-file <generated> --json --policies` with 1, 5 and 20
            services (bench/service_config.py writes prod's file with N generated services into
            bench/results/), each against the floor of its own plan; the series' last run is
            also compared with its first (goal: 20 services <= 3x the time of 1);
* floor prod, full GC paused - prod's floor with the garbage collector's full collections paused
            during the imports, as the preview engine pauses them during a preview: a reference
            row that shows how much of the preview's gain is the collector's (see README).

Every run gets this process's environment without PYTHONDONTWRITEBYTECODE, so the program's own
modules are read from cached bytecode, as pulumi_aws's installed modules are (the first run,
which reads the plans, writes the cache).

Each run goes through its own fresh probe interpreter, which starts the command, waits for it and
reads `resource.getrusage(RUSAGE_CHILDREN).ru_maxrss`: the probe's only child is the command, so
the figure is that run's peak RSS (this process's RUSAGE_CHILDREN would be a max over all runs).
Runs are interleaved (round-robin) so drift on the machine spreads evenly over the measurements.
Figures: median wall time (min-max), median peak RSS in MiB, median CPU time (user + system: less
sensitive than wall time to other work on the machine), ratios to the floor, the plan's resources
(custom resources: what AWS would create) and wall milliseconds per resource.
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
sys.path.insert(0, str(REPO_ROOT / "bench"))
import service_config  # noqa: E402  (bench/service_config.py, next to this file)

RESULTS = REPO_ROOT / "bench" / "results"
SCALE_SERIES = (1, 5, 20)
# What the preview engine does around a preview (preview/engine.py, _full_collections_paused).
GC_PAUSED = "import gc; gc.set_threshold(*gc.get_threshold()[:2], 2**31 - 1)"
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
STACK_ORDER = ("dev", "staging", "prod")
EXIT_BAD_CONFIG = 2
BAD_CONFIG = "dbInstanceClass=db.x9.large"
# The runtime imports of a preview: preview/engine.py (pulumi + its runtime), stack files (yaml);
# the resource classes come from the plans (floor_imports).
RUNTIME_MODULES = ("pulumi", "pulumi.runtime.mocks", "pulumi.runtime.settings",
                   "pulumi.runtime.config", "pulumi.runtime.rpc", "pulumi.runtime.stack",
                   "pulumi.runtime.sync_await", "yaml")
PACKAGES = {"aws": "pulumi_aws", "random": "pulumi_random"}

# Runs argv[1:] once, stdout discarded; prints exit code, wall time, max RSS, CPU time (user +
# system), first stderr lines.
PROBE = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
proc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
wall = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"exit": proc.returncode, "wall_s": wall, "maxrss": usage.ru_maxrss,
                  "cpu_s": usage.ru_utime + usage.ru_stime,
                  "stderr": proc.stderr.strip().splitlines()[:5]}))
"""


@dataclass
class Measurement:
    name: str
    argv: list[str]
    expected_exit: int = 0
    walls: list[float] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)
    rss_mib: list[float] = field(default_factory=list)
    failure: Optional[dict] = None  # first run whose exit code was not the expected one
    floor: Optional[str] = None  # the plan whose floor this run is compared with
    resources: Optional[int] = None  # custom resources the plan registers
    is_floor: bool = False
    services: Optional[int] = None  # a preview of the scale series: its count of services

    @property
    def ok(self) -> bool:
        return self.failure is None and bool(self.walls)


def stacks(root: Path = REPO_ROOT) -> list[str]:
    names = [p.name[len("Pulumi."):-len(".yaml")] for p in root.glob("Pulumi.*.yaml")]
    return sorted(names, key=lambda s: (STACK_ORDER.index(s) if s in STACK_ORDER else 99, s))


# Modules named after a Python keyword carry a trailing underscore (`aws:lambda/...` is
# pulumi_aws.lambda_).
PYTHON_MODULES = {"lambda": "lambda_"}


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
    module = PYTHON_MODULES.get(module, module)
    return f"from {package}{'' if module == 'index' else '.' + module} import {class_name}"


@dataclass(frozen=True)
class PlanFacts:
    imports: list[str]  # what the plan's floor imports
    resources: int  # custom resources


def plan_facts(stack: str, config_file: Optional[Path] = None, root: Path = REPO_ROOT) -> PlanFacts:
    """One `--json` preview of the plan: every import statement its floor runs (the runtime,
    then each class the plan registers, once) and its count of custom resources."""
    extra = ["--config-file", str(config_file)] if config_file else []
    plan = subprocess.run([sys.executable, "-m", "preview", stack, "--json", *extra], cwd=root,
                          capture_output=True, text=True, check=True, env=ENV)
    resources = json.loads(plan.stdout)["resources"]
    classes = sorted({line for line in map(class_import, {r["type"] for r in resources}) if line})
    return PlanFacts(["import " + ", ".join(RUNTIME_MODULES), *classes],
                     sum(1 for r in resources if r["custom"]))


def floor(name: str, key: str, facts: PlanFacts, prefix: str = "",
          reference: bool = False) -> Measurement:
    """The plan's floor; a `reference` variant is compared with the plan's own floor."""
    code = "; ".join(filter(None, [prefix, *facts.imports]))
    return Measurement(name, [sys.executable, "-c", code], floor=key, resources=facts.resources,
                       is_floor=not reference)


def stack_measurements(root: Path) -> list[Measurement]:
    py = sys.executable
    facts = {stack: plan_facts(stack, root=root) for stack in stacks(root)}
    result = [floor(f"floor {stack} (runtime + the classes its plan registers)", stack, facts[stack])
              for stack in facts]
    result += [Measurement(f"preview {stack}", [py, "-m", "preview", stack, "--json"], floor=stack,
                           resources=facts[stack].resources)
               for stack in facts]
    result += [Measurement(f"preview {stack} + policy check",
                           [py, "-m", "preview", stack, "--json", "--policies"], floor=stack,
                           resources=facts[stack].resources)
               for stack in facts]
    if "prod" not in facts:
        return result
    prod = facts["prod"].resources
    result.append(Measurement("preview prod, first run (--unknowns) + policy check",
                              [py, "-m", "preview", "prod", "--json", "--policies", "--unknowns"],
                              floor="prod", resources=prod))
    result.append(Measurement("preview prod + policy check + cost",
                              [py, "-m", "preview", "prod", "--json", "--policies", "--cost"],
                              floor="prod", resources=prod))
    result.append(floor("floor prod, full GC paused as in a preview (reference)", "prod",
                        facts["prod"], prefix=GC_PAUSED, reference=True))
    if "dev" in facts:
        result.append(Measurement("reject bad config (dev)",
                                  [py, "-m", "preview", "dev", "--set", BAD_CONFIG],
                                  expected_exit=EXIT_BAD_CONFIG, floor="dev"))
    return result


def scale_measurements(root: Path, counts=SCALE_SERIES) -> list[Measurement]:
    """prod with N generated services: its floor and its preview + policy check, per N."""
    py, result = sys.executable, []
    for count in counts:
        config = service_config.write(count, RESULTS / "scale", root)
        facts = plan_facts("prod", config, root)
        key = f"prod, {count} service{'s' if count > 1 else ''}"
        result.append(floor(f"floor {key}", key, facts))
        result.append(Measurement(f"preview {key} + policy check",
                                  [py, "-m", "preview", "prod", "--config-file", str(config),
                                   "--json", "--policies"], floor=key, resources=facts.resources,
                                  services=count))
    return result


# The serverless seeds' examples (examples/*.yaml), production-shaped, with their policy config.
SERVERLESS_EXAMPLES = (("willbook", "examples/willbook.yaml"),
                       ("hanbit-todo", "examples/hanbit-todo.yaml"))
EXAMPLE_POLICIES = "policies/config/prod.json"


def example_measurements(root: Path) -> list[Measurement]:
    """Each serverless example: its floor, and its preview + policy check."""
    result = []
    for stack, file in SERVERLESS_EXAMPLES:
        facts = plan_facts(stack, root / file, root)
        result.append(floor(f"floor {stack}", stack, facts))
        result.append(Measurement(
            f"preview {stack} (serverless example) + policy check",
            [sys.executable, "-m", "preview", stack, "--config-file", file, "--json",
             "--policies", "--policy-config", EXAMPLE_POLICIES], floor=stack,
            resources=facts.resources))
    return result


def measurements(root: Path = REPO_ROOT, scale_only: bool = False) -> list[Measurement]:
    return ([] if scale_only else stack_measurements(root) + example_measurements(root)) + \
        scale_measurements(root)


def rss_to_mib(maxrss: int) -> float:
    # ru_maxrss is in KiB on Linux, in bytes on macOS.
    return maxrss / (1024 * 1024) if sys.platform == "darwin" else maxrss / 1024


def run_once(argv: list[str]) -> dict:
    probe = subprocess.run([sys.executable, "-c", PROBE, *argv], cwd=REPO_ROOT,
                           capture_output=True, text=True, check=True, env=ENV)
    return json.loads(probe.stdout)


def record(m: Measurement) -> None:
    run = run_once(m.argv)
    if run["exit"] != m.expected_exit:
        m.failure = run  # no point repeating a run that fails; stop measuring this one
        return
    m.walls.append(run["wall_s"])
    m.cpus.append(run["cpu_s"])
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
                        "all": m.rss_mib},
               cpu_s={"median": statistics.median(m.cpus), "all": m.cpus})
    if floor.ok:
        out["time_vs_floor"] = wall / statistics.median(floor.walls)
        out["cpu_vs_floor"] = statistics.median(m.cpus) / statistics.median(floor.cpus)
        out["rss_vs_floor"] = rss / statistics.median(floor.rss_mib)
    if m.services:
        out["services"] = m.services
    if m.resources:
        out["resources"] = m.resources
        out["ms_per_resource"] = wall * 1000 / m.resources
        if floor.ok and not m.is_floor:
            out["ms_per_resource_above_floor"] = \
                (wall - statistics.median(floor.walls)) * 1000 / m.resources
    return out


def scale_ratio(summaries: list[dict]) -> Optional[str]:
    """The scale series' last preview against its first (goal: 20 services <= 3x 1 service)."""
    series = [s for s in summaries if s["status"] == "ok" and "services" in s]
    if len(series) < 2:
        return None
    first, last = series[0], series[-1]
    ratio = lambda key: last[key]["median"] / first[key]["median"]  # noqa: E731
    return (f"{last['name']}: {ratio('wall_s'):.2f}x the wall time ({ratio('cpu_s'):.2f}x the CPU "
            f"time) of {first['name']}; {last['resources']} resources against "
            f"{first['resources']}.")


def machine() -> dict:
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {"nproc": cpus, "python": platform.python_version(),
            "implementation": platform.python_implementation(),
            "platform": f"{platform.system()} {platform.machine()}", "executable": sys.executable}


HEADERS = ("Measurement", "Status", "Wall median (s)", "Wall min-max (s)",
           "Peak RSS median (MiB)", "Time x floor", "RSS x floor", "CPU median (s)", "CPU x floor",
           "Resources", "ms / resource", "ms / resource above floor")


def row(s: dict) -> list[str]:
    if s["status"] != "ok":
        return [s["name"], s["status"], *["-"] * (len(HEADERS) - 2)]
    w, r = s["wall_s"], s["rss_mib"]
    ratio = lambda key: f"{s[key]:.2f}x" if key in s else "-"  # noqa: E731
    per = lambda key: f"{s[key]:.1f}" if key in s else "-"  # noqa: E731
    return [s["name"], "ok", f"{w['median']:.2f}", f"{w['min']:.2f}-{w['max']:.2f}",
            f"{r['median']:.1f}", ratio("time_vs_floor"), ratio("rss_vs_floor"),
            f"{s['cpu_s']['median']:.2f}", ratio("cpu_vs_floor"), str(s.get("resources", "-")),
            per("ms_per_resource"), per("ms_per_resource_above_floor")]


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
    parser.add_argument("--scale-only", action="store_true",
                        help="measure the scale series (1, 5, 20 services) alone")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    return args


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    ms = measurements(scale_only=args.scale_only)
    bench(ms, args.runs)
    floors = {m.floor: m for m in ms if m.is_floor}
    summaries = [summary(m, floors[m.floor]) for m in ms]
    facts = machine()
    rows = [row(s) for s in summaries]
    notes = "\n".join(filter(None, [scale_ratio(summaries), footer(facts, args.runs)]))
    if args.markdown:
        print(markdown_table(rows) + "\n\n" + notes)
    else:
        print(text_table(rows) + "\n\n" + notes)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"machine": facts, "runs": args.runs,
                                         "results": summaries}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
