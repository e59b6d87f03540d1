"""Fresh databases for the tests, and "seed once and copy".

`Databases.make()` gives a new, empty database: a file in a temporary folder on SQLite, a
`CREATE DATABASE` on the test server for PostgreSQL (all dropped at the end of the run).

Migrating and seeding one costs seconds (every migration, then the streams and the demo data,
each change audited), and about thirty tests need their own seeded database. So the first one is
migrated and seeded into a template, once per run, and every later one is a copy of it: a file
copy on SQLite, `CREATE DATABASE ... TEMPLATE` on PostgreSQL. A copy holds exactly the rows,
ids, sequences and migration revision that migrating and seeding would have made (the seed
depends on no setting but the password hash's cost and the clock, and `copy_into` copies only
for an app whose settings match the template's). The migrations and the seed themselves are
still proved from nothing, by the tests that run them (`test_migrations.py`, `test_cli.py`,
`test_demo_history.py`) and by the template itself.
"""

import secrets
import shutil
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url


class Databases:
    """Hands out fresh databases on one server (None: SQLite files under `folder`)."""

    def __init__(self, server: URL | None, folder: Path):
        self.server = server
        self.folder = folder
        self.made: list[str] = []  # PostgreSQL databases to drop at the end
        self.empty: set[str] = set()  # URLs handed out that nothing has migrated yet
        self.template: str | None = None  # the migrated, seeded database copies are made of
        self.template_settings: tuple | None = None

    # --- empty databases ------------------------------------------------------------------

    def make(self) -> str:
        url = self._new()
        self.empty.add(url)
        return url

    def _new(self) -> str:
        if self.server is None:
            return f"sqlite:///{self.folder / (secrets.token_hex(4) + '.db')}"
        name = f"hht_test_{secrets.token_hex(5)}"
        self._admin(f'CREATE DATABASE "{name}"')
        self.made.append(name)
        return self.server.set(database=name).render_as_string(hide_password=False)

    def _admin(self, *statements: str) -> None:
        admin = sa.create_engine(self.server, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as connection:
                for statement in statements:
                    connection.execute(sa.text(statement))
        finally:
            admin.dispose()

    def drop_all(self) -> None:
        if self.server is not None and self.made:
            self._admin(*(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)' for name in self.made))

    # --- seed once and copy ---------------------------------------------------------------

    def copy_into(self, app, migrate_and_seed_slowly) -> bool:
        """Fills the app's database, if it is a fresh one of ours that nothing has touched, with
        a copy of the migrated, seeded template (made now with `migrate_and_seed_slowly` if this
        is the first). False (and nothing done) otherwise: the caller migrates and seeds."""
        url = app.config["SQLALCHEMY_DATABASE_URI"]
        if url not in self.empty or app.config.get("CLOCK") is not None:
            return False
        settings = _seed_settings(app)
        if self.template is not None and settings != self.template_settings:
            return False
        self.empty.discard(url)
        from tracker.extensions import db

        with app.app_context():
            db.engine.dispose()
            if sa.inspect(db.engine).get_table_names():
                db.engine.dispose()
                return False
            db.engine.dispose()
        if self.template is None:
            self._make_template(app, migrate_and_seed_slowly)
        if self.server is None:
            target = Path(make_url(url).database)
            for leftover in _sqlite_files(target):
                leftover.unlink(missing_ok=True)
            shutil.copyfile(make_url(self.template).database, target)
        else:
            name = make_url(url).database
            self._admin(
                f'DROP DATABASE "{name}" WITH (FORCE)',
                f'CREATE DATABASE "{name}" TEMPLATE "{make_url(self.template).database}"',
            )
        return True

    def _make_template(self, app, migrate_and_seed_slowly) -> None:
        """The template: an app like this one on a database of its own, migrated and seeded
        the slow way, then closed (nothing may be connected to a PostgreSQL template, and a
        SQLite file is copied whole once its write-ahead log is folded in)."""
        from tests.conftest import build_app
        from tracker.extensions import db

        url = self._new()
        overrides = {key: app.config[key] for key in _SEED_SETTINGS}
        template_app = build_app(url, **overrides)
        migrate_and_seed_slowly(template_app)
        with template_app.app_context():
            db.engine.dispose()
        if self.server is None:
            # The last connection to close folds the write-ahead log into the file.
            wal = _sqlite_files(Path(make_url(url).database))[1]
            assert not wal.exists() or wal.stat().st_size == 0, f"{wal} is left after closing"
        self.template = url
        self.template_settings = _seed_settings(app)


# The settings the seed's rows depend on (besides the clock, never set for a copy).
_SEED_SETTINGS = (
    "PASSWORD_HASH_TIME_COST",
    "PASSWORD_HASH_MEMORY_KIB",
    "PASSWORD_HASH_PARALLELISM",
    "SECOND_APPROVAL_THRESHOLD_PENCE",
    "RETURN_DUE_WORKING_DAYS",
    "DEMO_PASSWORD",
)


def _seed_settings(app) -> tuple:
    return tuple(app.config.get(key) for key in _SEED_SETTINGS)


def _sqlite_files(path: Path) -> list[Path]:
    return [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]
