"""A test run killed with SIGKILL leaves its throwaway PostgreSQL behind; the next run sweeps
away the folders (and servers) whose owner is gone, and never one whose owner is alive."""

import os
import subprocess
import sys
import tempfile

from tools.postgres_server import sweep_orphans


def folder(root, name: str, owner: int | None):
    path = root / f"hht-pg-{name}"
    path.mkdir()
    if owner is not None:
        (path / "owner.pid").write_text(str(owner))
    return path


def test_the_folders_of_dead_owners_go_and_the_living_and_recent_stay(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead = folder(tmp_path, "dead", int(finished.stdout))
    living = folder(tmp_path, "living", os.getpid())
    unowned_recent = folder(tmp_path, "recent", None)
    unowned_old = folder(tmp_path, "old", None)
    os.utime(unowned_old, (0, 0))

    sweep_orphans("/nonexistent/bin", as_postgres=False)

    assert not dead.exists()
    assert not unowned_old.exists()
    assert living.exists()
    assert unowned_recent.exists()
