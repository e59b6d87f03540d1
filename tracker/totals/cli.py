"""flask totals rebuild, flask totals check: the running totals against the live rows."""

import time

import click
from flask import Flask

from tracker.extensions import db
from tracker.totals import ledger

SHOWN = 50


def init_app(app: Flask) -> None:
    @app.cli.group("totals")
    def totals_group() -> None:
        """The running totals the dashboards and the minister's summary read."""

    @totals_group.command("rebuild")
    def rebuild_command() -> None:
        """Recompute every running total from the live rows, in one transaction (writers wait
        for it; readers see the old totals until it commits)."""
        started = time.perf_counter()
        live = ledger.rebuild(db.session.connection())
        db.session.commit()
        click.echo(
            f"Rebuilt the running totals: {len(live.sums):,} rows and {len(live.ratings):,} "
            f"project ratings, in {time.perf_counter() - started:,.1f} s"
        )

    @totals_group.command("check")
    def check_command() -> None:
        """Compare every running total with the live rows. Exits 0 when they agree, 1 (naming
        each difference) when they do not: then `flask totals rebuild` puts them right."""
        differences = ledger.check(db.session.connection())
        db.session.rollback()
        if not differences:
            click.echo("The running totals agree with the live rows.")
            return
        click.echo(f"The running totals differ from the live rows in {len(differences):,} places:")
        for difference in differences[:SHOWN]:
            click.echo(f"- {difference}")
        if len(differences) > SHOWN:
            click.echo(f"... and {len(differences) - SHOWN:,} more")
        raise SystemExit(1)
