"""Figures the proof tests report (routes x roles checked, inputs tried, concurrent clients,
faults injected, what was lost), so tests/RELIABILITY.md can say what the last run showed.

A test asks for the `reliability` fixture and calls `reliability.record(section, figure, value)`.
At the end of a run the figures are printed and written to `tests/reliability-<db>.json`
(not committed); `python -m tests.reliability` turns the newest files into tests/RELIABILITY.md's
table of figures.
"""

import json
import sys
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).parent
REPORT = HERE / "RELIABILITY.md"
FIGURES_START = "<!-- figures: written by `python -m tests.reliability` -->"
FIGURES_END = "<!-- end of figures -->"


class Figures:
    """What this run proved, by section; a section's figure recorded twice adds up."""

    def __init__(self) -> None:
        self.sections: dict[str, dict[str, int | str]] = {}

    def record(self, section: str, figure: str, value: int | str) -> None:
        figures = self.sections.setdefault(section, {})
        if isinstance(value, int) and isinstance(figures.get(figure), int):
            figures[figure] += value
        else:
            figures[figure] = value

    def write(self, db_kind: str, path: Path | None = None) -> Path | None:
        """Writes tests/reliability-<db>.json, or `path` (make test's parts each write their
        own, and tests/run_all.py adds them up)."""
        if not self.sections:
            return None
        path = path or HERE / f"reliability-{db_kind}.json"
        path.write_text(
            json.dumps(
                {
                    "database": db_kind,
                    "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
                    "sections": self.sections,
                },
                indent=2,
                sort_keys=True,
            )
        )
        return path

    def lines(self) -> list[str]:
        return [
            f"{section}: " + ", ".join(f"{name} {value}" for name, value in figures.items())
            for section, figures in sorted(self.sections.items())
        ]


def table(runs: list[dict]) -> str:
    """A Markdown table: one row per section and figure, one column per database."""
    columns = [run["database"] for run in runs]
    rows: dict[tuple[str, str], dict[str, str]] = {}
    for run in runs:
        for section, figures in run["sections"].items():
            for figure, value in figures.items():
                rows.setdefault((section, figure), {})[run["database"]] = str(value)
    header = ["| proof | figure | " + " | ".join(columns) + " |"]
    header.append("|---|---|" + "---|" * len(columns))
    body = [
        f"| {section} | {figure} | " + " | ".join(vals.get(c, "") for c in columns) + " |"
        for (section, figure), vals in sorted(rows.items())
    ]
    finished = ", ".join(f"{run['database']} {run['finished_at']}" for run in runs)
    return "\n".join([f"Last run: {finished}.", "", *header, *body])


def main() -> int:
    runs = [json.loads(path.read_text()) for path in sorted(HERE.glob("reliability-*.json"))]
    if not runs:
        print("No figures: run the suite first (make test).", file=sys.stderr)
        return 1
    text = REPORT.read_text()
    start, end = text.index(FIGURES_START), text.index(FIGURES_END)
    REPORT.write_text(text[: start + len(FIGURES_START)] + "\n" + table(runs) + "\n" + text[end:])
    print(f"Wrote the figures of {len(runs)} run(s) into {REPORT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
