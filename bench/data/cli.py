"""The benchmark generator's command: `python -m bench.data` (never part of the service's CLI)."""

import click
from alembic.script import ScriptDirectory
from flask import current_app
from flask.cli import with_appcontext

from tracker.extensions import db


@click.command("bench-data")
@click.option(
    "--scale",
    default="small",
    show_default=True,
    help="department (100 streams, 5,000 organisations, 50,000 allocations, 100,000 projects, "
    "1,000,000 returns, 200,000 payments, 1,000,000 audit events), small (exactly 1% of "
    "that), or a fraction of department scale such as 0.001.",
)
@click.option(
    "--seed",
    default=2020,
    show_default=True,
    type=int,
    help="The same seed makes the same data, row for row.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Run beside data the generator did not make (it never deletes that data). "
    "Nothing makes it run where TRACKER_ENV=production.",
)
@with_appcontext
def bench_data_command(scale: str, seed: int, force: bool) -> None:
    """Fill the database with generated benchmark data, in bulk.

    Needs the schema migrated first (flask db upgrade). Everything it makes is illustrative
    and marked as its own: the department "Department for Benchmarks" (org-id GB-GOR-ZZ9999),
    streams BENCH-001..., organisations bench-org-00001... and users at bench.invalid. Every
    user's password is TRACKER_DEMO_PASSWORD: officer-01@department.bench.invalid,
    finance-01@..., viewer@..., admin@department.bench.invalid, and for each organisation
    grantee@org-00001.bench.invalid and certifier@org-00001.bench.invalid.

    \b
    It refuses (exit 1):
      - where TRACKER_ENV=production, always;
      - unless --force is given, where the database holds any data it did not make (users,
        organisations, streams, allocations, departments): that may be real.
    Run again on a database holding only its own earlier data, it empties the database and
    generates afresh. Beside other data (with --force) it adds and never deletes; there, a
    second run is refused.
    """
    from bench.data import Refused, fraction_of, generate
    from bench.data.sizes import ScaleError

    try:
        fraction = fraction_of(scale)
    except ScaleError as error:
        raise click.BadParameter(str(error), param_hint="--scale") from error
    config = current_app.extensions["migrate"].migrate.get_config()
    heads = set(ScriptDirectory.from_config(config).get_heads())
    try:
        generate(
            db.engine,
            fraction=fraction,
            seed=seed,
            password=current_app.config["DEMO_PASSWORD"],
            environment=current_app.config["ENV"],
            force=force,
            heads=heads,
            echo=click.echo,
        )
    except Refused as error:
        raise click.ClickException(str(error)) from error
