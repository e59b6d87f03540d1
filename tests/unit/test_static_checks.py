"""The static checks `make security` runs: bandit fails on a high-severity finding (and finds
none in tracker/), and bin/check-dependencies never passes off "could not check" as an
all-clear, while failing on a known vulnerability."""

import importlib.machinery
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent


def bandit(*targets: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bandit", "-q", "-r", *targets, "-c", str(ROOT / "bandit.yaml"),
         "--severity-level", "high", "-f", "json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )


def test_bandit_finds_no_high_severity_issue_in_the_service():
    result = bandit("tracker")
    assert result.returncode == 0, result.stdout[-2000:]
    assert json.loads(result.stdout)["results"] == []


def test_bandit_with_our_settings_fails_on_a_high_severity_issue(tmp_path):
    planted = tmp_path / "planted.py"
    planted.write_text("import subprocess\n\n\ndef run(name):\n"
                       "    subprocess.call('ls ' + name, shell=True)\n")
    result = bandit(str(planted))
    assert result.returncode == 1
    [finding] = json.loads(result.stdout)["results"]
    assert finding["test_id"] == "B602" and finding["issue_severity"] == "HIGH"


@pytest.fixture(scope="module")
def check():
    path = ROOT / "bin" / "check-dependencies"
    loader = importlib.machinery.SourceFileLoader("check_dependencies", str(path))
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(loader.name, loader))
    loader.exec_module(module)
    return module


def report(*dependencies: dict) -> str:
    return json.dumps({"dependencies": list(dependencies), "fixes": []})


CLEAN = {"name": "flask", "version": "3.1.3", "vulns": []}
SKIPPED = {
    "name": "alembic",
    "skip_reason": "Dependency not found on PyPI and could not be audited: alembic (1.16.5)",
}
VULNERABLE = {
    "name": "jinja2",
    "version": "3.1.2",
    "vulns": [{"id": "GHSA-h5c8-rqwp-cp95", "fix_versions": ["3.1.3"], "aliases": []}],
}


def test_a_known_vulnerability_fails_and_is_named(check):
    status, message = check.verdict(1, report(CLEAN, VULNERABLE, SKIPPED), "", strict=False)
    assert status == 1
    assert "jinja2 3.1.2: GHSA-h5c8-rqwp-cp95 (fixed in 3.1.3)" in message
    assert "1 more could not be checked" in message


def test_no_database_reached_says_it_is_not_an_all_clear_and_does_not_fail(check):
    stderr = "requests.exceptions.ConnectionError: Failed to resolve 'api.osv.dev'"
    status, message = check.verdict(1, "", stderr, strict=False)
    assert status == 0
    assert message.startswith("Could not check the pinned dependencies")
    assert "Failed to resolve 'api.osv.dev'" in message
    assert check.NOT_AN_ALL_CLEAR in message
    assert check.verdict(None, "", "", strict=False)[1].count("it timed out") == 1


def test_every_package_skipped_is_not_an_all_clear_though_pip_audit_says_none_found(check):
    # What pip-audit does here: skips every package, prints "No known vulnerabilities found"
    # and exits 0.
    status, message = check.verdict(0, report(SKIPPED, SKIPPED), "", strict=False)
    assert status == 0
    assert message.startswith("Could not check any of the 2 pinned dependencies")
    assert check.NOT_AN_ALL_CLEAR in message
    status, message = check.verdict(0, report(CLEAN, SKIPPED), "", strict=False)
    assert message.startswith("Checked 1, but could not check 1 of the 2")


def test_strict_mode_fails_when_the_check_could_not_be_made(check):
    assert check.verdict(1, "", "offline", strict=True)[0] == 1
    assert check.verdict(0, report(SKIPPED), "", strict=True)[0] == 1


def test_every_package_checked_and_clean_is_an_all_clear(check):
    status, message = check.verdict(0, report(CLEAN, CLEAN), "", strict=False)
    assert status == 0
    assert message.startswith("Checked all 2 pinned dependencies: no known vulnerabilities")
    assert check.NOT_AN_ALL_CLEAR not in message


def test_the_audit_covers_exactly_the_pinned_set_without_resolving(check, tmp_path):
    args = check.command(tmp_path / "out.json")
    assert args[args.index("--requirement") + 1] == str(ROOT / "constraints.txt")
    assert "--no-deps" in args and "--disable-pip" in args
    pins = [line for line in (ROOT / "constraints.txt").read_text().splitlines() if line]
    assert pins and all("==" in line for line in pins)


def test_the_check_runs_here_and_gives_one_honest_verdict():
    result = subprocess.run(
        [sys.executable, str(ROOT / "bin" / "check-dependencies")],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode in (0, 1), result.stderr
    verdict = result.stdout.splitlines()[0]
    if result.returncode == 1:
        assert verdict.endswith("pinned dependencies have known vulnerabilities:"), verdict
    else:
        assert verdict.startswith(("Could not check", "Checked")), verdict
    if "could not check" in verdict.lower() and result.returncode == 0:
        assert "NOT an all-clear" in verdict
