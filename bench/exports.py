"""CSV, Excel and 360Giving exports of the whole data set: time and peak memory of the
service's download (through its own view) against writing the same rows straight from a
database cursor. Each runs in its own process under /usr/bin/time -v."""

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bench.database import OUT, ROOT, environment

EXPORTS = [
    ("allocations", "csv"),
    ("allocations", "xlsx"),
    ("returns", "csv"),
    ("returns", "xlsx"),
    ("payments", "csv"),
    ("payments", "xlsx"),
    ("360giving", "json"),
]
PEAK_TARGET_MB = 150


@dataclass
class Run:
    seconds: float
    peak_mb: float  # the process's peak RSS from /usr/bin/time -v (the sign-in's argon2 too)
    export_peak_mb: float  # the peak RSS while exporting (reset just before it)
    baseline_mb: float  # RSS just before the export: the app, loaded
    bytes: int
    path: Path


@dataclass
class ExportFigure:
    table: str
    kind: str
    rows: int
    service: Run
    floor: Run

    @property
    def rate_share(self) -> float:
        """The service's rows per second as a share of the cursor's."""
        return self.floor.seconds / self.service.seconds

    @property
    def met(self) -> bool:
        return self.service.export_peak_mb < PEAK_TARGET_MB and self.rate_share >= 0.5


def _run(url: str, email: str, mode: str, table: str, kind: str, folder: Path) -> tuple[Run, dict]:
    path = folder / f"{table}-{mode}.{kind}"
    result = subprocess.run(
        ["/usr/bin/time", "-v", sys.executable, "-m", "bench.export_job", mode, table, kind, path],
        cwd=ROOT,
        env=environment(url, BENCH_EMAIL=email),
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise RuntimeError(f"{mode} export of {table} {kind} failed:\n{result.stderr[-3000:]}")
    peak = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr).group(1))
    report = json.loads(result.stdout.strip().splitlines()[-1])
    run = Run(
        report["seconds"],
        peak / 1024,
        report["peak_kb"] / 1024,
        report["rss_before_kb"] / 1024,
        path.stat().st_size,
        path,
    )
    return run, report


def run(
    url: str,
    email: str,
    *,
    only: list[tuple[str, str]] | None = None,
    keep_files: bool = False,
    folder: Path = OUT / "exports",
    log=print,
) -> Iterator[ExportFigure]:
    """Yields each export's figure as soon as it is measured."""
    folder.mkdir(parents=True, exist_ok=True)
    for table, kind in only or EXPORTS:
        service, _ = _run(url, email, "service", table, kind, folder)
        floor, report = _run(url, email, "floor", table, kind, folder)
        figure = ExportFigure(table, kind, report["rows"], service, floor)
        log(
            f"  {table} {kind}: {figure.rows:,} rows; service {service.seconds:.1f} s, "
            f"peak {service.export_peak_mb:.0f} MB; cursor {floor.seconds:.1f} s, "
            f"peak {floor.export_peak_mb:.0f} MB"
        )
        if not keep_files:
            service.path.unlink(missing_ok=True)
            floor.path.unlink(missing_ok=True)
        yield figure
