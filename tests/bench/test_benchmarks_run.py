"""Every benchmark, once, briefly, on small data, so that none of them rots. Benchmarks are not
tests: nothing here looks at a time. It checks that each benchmark measured something (every
figure present and positive), that the exports wrote every row of the data, and that the
import stored its rows and took them out again."""

import csv
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from tests.conftest import DEMO_PASSWORD

ROOT = Path(__file__).resolve().parent.parent.parent
# The generator's 1% scale (`python -m bench.data --scale small`).
SCALE = os.environ.get("BENCH_TEST_SCALE", "small")
AWARDED = ("offered", "accepted", "active", "closed")


@pytest.fixture(scope="module")
def bench_run(db_kind, database_server, tmp_path_factory):
    """One quick run of bench/run.py; its figures, its scratch folder and its database."""
    out = tmp_path_factory.mktemp("bench")
    prefix = f"hht_test_bench_{secrets.token_hex(4)}"
    env = dict(os.environ, TRACKER_DEMO_PASSWORD=DEMO_PASSWORD, BENCH_DATABASE_PREFIX=prefix)
    if database_server is not None:
        env["BENCH_DATABASE_URL"] = database_server.render_as_string(hide_password=False)
    command = [
        sys.executable,
        "-m",
        "bench.run",
        "--db",
        "sqlite" if db_kind == "sqlite" else "postgres",
        "--scale",
        SCALE,
        "--quick",
        "--keep-files",
        "--out",
        str(out),
        "--json",
        str(out / "results.json"),
    ]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    if database_server is None:
        url = f"sqlite:///{out / (prefix + '-' + SCALE.replace('.', '_') + '.db')}"
    else:
        url = database_server.set(database=_database_name(prefix))
    engine = sa.create_engine(url)
    yield json.loads((out / "results.json").read_text()), out, engine
    engine.dispose()
    if database_server is not None:
        admin = sa.create_engine(database_server, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            name = _database_name(prefix)
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _database_name(prefix: str) -> str:
    """As bench/database.py names it."""
    return f"{prefix}-{SCALE.replace('.', '_')}".replace("-", "_")


def _count(engine, sql: str) -> int:
    with engine.connect() as connection:
        return connection.scalar(sa.text(sql))


def test_every_dashboard_was_timed_against_its_own_sql(bench_run):
    results, _, _ = bench_run
    pages = {figure["path"] for figure in results["dashboards"]}
    assert pages == {
        "/dashboards",
        "/dashboards/spend-over-time",
        "/dashboards/grantees",
        "/dashboards/returns",
        "/dashboards/outputs",
        "/dashboards/regions",
        "/dashboards/evidence",
        "/dashboards/year-end",
        "/summary",
    }
    for figure in results["dashboards"]:
        assert figure["statements"] >= 3, figure  # the page's aggregates were captured
        assert figure["page_seconds"] > 0 and figure["sql_seconds"] > 0, figure
        assert figure["page_bytes"] > 1000, figure


def test_both_list_pages_were_loaded_on_the_service_and_the_ceiling(bench_run):
    results, _, engine = bench_run
    figures = {figure["path"]: figure for figure in results["lists"]}
    assert set(figures) == {"/allocations", "/returns"}
    assert figures["/allocations"]["rows"] == min(
        50, _count(engine, "SELECT count(*) FROM allocation")
    )
    for figure in figures.values():
        assert figure["rows"] > 0, figure
        for server in ("service", "ceiling"):
            load = figure[server]
            assert load["requests"] > 0 and load["requests_per_second"] > 0, figure
            assert 0 < load["p50_seconds"] <= load["p99_seconds"], figure
            assert load["not_ok"] == 0, f"{server} answered something other than 200: {figure}"


def _rows_in(path: Path) -> int:
    if path.suffix == ".csv":
        with open(path, newline="", encoding="utf-8-sig") as handle:
            return sum(1 for _ in csv.reader(handle)) - 1
    if path.suffix == ".xlsx":
        workbook = load_workbook(path, read_only=True)
        rows = sum(1 for _ in workbook.worksheets[0].iter_rows()) - 1
        workbook.close()
        return rows
    return len(json.loads(path.read_text())["grants"])


def test_every_export_wrote_every_row_of_the_data_set(bench_run):
    results, out, engine = bench_run
    expected = {
        "allocations": _count(engine, "SELECT count(*) FROM allocation"),
        "returns": _count(engine, "SELECT count(*) FROM milestone_return"),
        "payments": _count(engine, "SELECT count(*) FROM payment"),
        "360giving": _count(engine, f"SELECT count(*) FROM allocation WHERE status IN {AWARDED!r}"),
    }
    made = {(figure["table"], figure["kind"]) for figure in results["exports"]}
    assert made == {
        ("allocations", "csv"),
        ("allocations", "xlsx"),
        ("returns", "csv"),
        ("returns", "xlsx"),
        ("payments", "csv"),
        ("payments", "xlsx"),
        ("360giving", "json"),
    }
    for figure in results["exports"]:
        rows = expected[figure["table"]]
        assert rows > 0
        assert figure["rows"] == rows, figure
        for side in ("service", "floor"):
            run = figure[side]
            assert run["seconds"] > 0 and run["bytes"] > 0, figure
            assert run["peak_mb"] > 0 and run["export_peak_mb"] >= run["baseline_mb"] * 0.9
        assert _rows_in(Path(figure["service"]["path"])) == rows, figure
        assert _rows_in(Path(figure["floor"]["path"])) == rows, figure


def test_the_import_stored_every_row_and_took_them_out_again(bench_run):
    results, _, engine = bench_run
    figure = results["imports"]
    assert figure["rows"] == 2000
    assert figure["stored_by_service"] == 2000
    assert figure["stored_by_floor"] == 2000
    assert figure["service_seconds"] > 0 and figure["floor_seconds"] > 0
    left = _count(
        engine,
        "SELECT count(*) FROM allocation JOIN funding_stream ON funding_stream.id = "
        "allocation.stream_id WHERE funding_stream.code = 'BENCH-IMPORT'",
    )
    assert left == 0


def test_the_results_say_which_targets_were_met(bench_run):
    results, out, _ = bench_run
    text = (out / "RESULTS.md").read_text()
    key = results["database"]
    assert f"<!-- results:{key}:start -->" in text and f"<!-- results:{key}:end -->" in text
    assert "### Targets" in text
    assert "Cores" in text and "PostgreSQL" in text and "SQLite" in text
    # dashboards, two lists, exports, import, a reader beside the summary and beside an export
    assert len(results["verdicts"]) == 1 + 2 + 1 + 1 + 2


def test_the_allocations_list_was_loaded_alone_and_beside_the_summary_and_an_export(bench_run):
    results, _, _ = bench_run
    figures = {figure["heavy_path"]: figure for figure in results["readers"]}
    assert set(figures) == {"/summary", "/exports/returns.csv"}
    for figure in figures.values():
        assert figure["page"] == "Allocations"
        for side in ("alone", "beside"):
            load = figure[side]
            assert load["requests"] > 0 and 0 < load["p50_seconds"] <= load["p99_seconds"], figure
            assert load["not_ok"] == 0, figure
        assert figure["heavy_runs"] >= 1 and figure["heavy_seconds"] > 0, figure
        assert figure["heavy_not_ok"] == 0, figure
