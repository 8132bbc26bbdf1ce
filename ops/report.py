"""What a command found: one line per subject, a human screen or JSON, and the exit code."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Optional

OK, PROBLEM, NOTE = "ok", "problem", "note"
MARKS = {OK: "ok     ", PROBLEM: "PROBLEM", NOTE: "note   "}


@dataclass
class Line:
    subject: str
    state: str
    detail: str


@dataclass
class Report:
    command: str
    stack: str
    region: Optional[str] = None
    lines: list = field(default_factory=list)
    figures: dict = field(default_factory=dict)  # measured values: timings, ages
    done: str = "healthy"  # the verdict when nothing went wrong

    def ok(self, subject: str, detail: str) -> None:
        self.lines.append(Line(subject, OK, detail))

    def problem(self, subject: str, detail: str) -> None:
        self.lines.append(Line(subject, PROBLEM, detail))

    def note(self, subject: str, detail: str) -> None:
        self.lines.append(Line(subject, NOTE, detail))

    @property
    def problems(self) -> list:
        return [line for line in self.lines if line.state == PROBLEM]

    @property
    def exit_code(self) -> int:
        return 1 if self.problems else 0

    def as_json(self) -> str:
        return json.dumps({**asdict(self), "healthy": not self.problems,
                           "exitCode": self.exit_code}, indent=2, default=str)

    def human(self) -> str:
        width = max((len(line.subject) for line in self.lines), default=0)
        where = f" ({self.region})" if self.region else ""
        head = f"{self.command} — stack {self.stack}{where}"
        body = [f"{MARKS[line.state]}  {line.subject:<{width}}  {line.detail}"
                for line in self.lines]
        figures = [f"{name}: {value}" for name, value in self.figures.items()]
        verdict = f"{len(self.problems)} problem(s) found" if self.problems else self.done
        return "\n".join([head, *body, *figures, verdict])
