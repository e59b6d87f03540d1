"""flask seed, flask create-user. Each command runs in one transaction: all of it or none."""

from pathlib import Path

import click
from flask import Flask, current_app

from tracker.data import organisations as organisation_data
from tracker.extensions import db
from tracker.models import Role
from tracker.services import users as user_service
from tracker.services.audit import SYSTEM
from tracker.services.errors import RuleBroken


def init_app(app: Flask) -> None:
    from tracker.commands import audit_commands

    audit_commands.init_app(app)
    from tracker.totals import cli as totals_cli

    totals_cli.init_app(app)

    @app.cli.command("backup")
    @click.option(
        "--to",
        "destination",
        type=click.Path(path_type=Path),
        default=None,
        help="The file to write, or a folder for it "
        "(default: instance/backups/tracker-<UTC time>.sqlite3 or .dump)",
    )
    def backup_command(destination: Path | None) -> None:
        """Write a consistent copy of the database to one file: SQLite's backup API, or
        pg_dump's custom format for PostgreSQL. The README says how to restore it."""
        from tracker.infrastructure.backups import BackupFailed, back_up

        if destination is None:
            destination = Path(current_app.instance_path) / "backups"
            destination.mkdir(parents=True, exist_ok=True)
        try:
            made = back_up(current_app.config["SQLALCHEMY_DATABASE_URI"], destination)
        except BackupFailed as error:
            raise click.ClickException(f"No backup was made. {error}") from error
        click.echo(f"Backed up the database to {made.path} ({_size(made.size_bytes)})")

    @app.cli.group("evidence")
    def evidence_group() -> None:
        """Evidence files on disk."""

    @evidence_group.command("sweep")
    @click.option(
        "--older-than-hours",
        type=click.IntRange(min=1),
        default=24,
        show_default=True,
        help="Only files at least this old (a younger one may be an upload in flight)",
    )
    def evidence_sweep_command(older_than_hours: int) -> None:
        """Remove evidence files that no evidence row names (what a crash between a file and its
        row leaves behind). Safe to run at any time, for example daily from cron."""
        from tracker.services import evidence as evidence_service

        removed = evidence_service.sweep(
            Path(current_app.config["UPLOAD_FOLDER"]), older_than_seconds=older_than_hours * 3600
        )
        click.echo(f"{len(removed)} orphaned evidence files removed")

    @app.cli.command("seed")
    @click.option(
        "--demo",
        is_flag=True,
        help="Add the illustrative demo organisations, "
        "allocations and users (never where TRACKER_ENV=production).",
    )
    @click.option(
        "--history",
        is_flag=True,
        help="With --demo: fill in the demo's past returns, reviews and payments, so the "
        "dashboards have figures to show.",
    )
    def seed_command(demo: bool, history: bool) -> None:
        """Load the Hidden Harms streams (and, with --demo, illustrative data)."""
        from tracker.commands.seeding import ADDED, seed

        try:
            counts = seed(
                demo,
                current_app.config["DEMO_PASSWORD"],
                current_app.config["ENV"],
                history=history and demo,
            )
        except RuleBroken as error:
            db.session.rollback()
            raise click.ClickException(error.message) from error
        db.session.commit()
        said = [f"{n} {what}" + (" added" if what in ADDED else "") for what, n in counts.items()]
        click.echo("Seeded: " + ", ".join(said))

    @app.cli.command("send-reminders")
    @click.option(
        "--today",
        type=click.DateTime(formats=["%Y-%m-%d"]),
        default=None,
        help="The date to remind as of (default: today)",
    )
    def send_reminders_command(today) -> None:
        """Email grantees whose returns are due within 14 days or overdue, and officers a
        digest. Running it twice on one day sends nothing twice."""
        from datetime import date

        from tracker.infrastructure import mail
        from tracker.services.reminders import send_reminders

        counts = send_reminders(
            today.date() if today else date.today(), current_app.config.get("BASE_URL", "")
        )
        db.session.commit()
        sent = mail.deliver_pending(limit=10_000)
        click.echo(
            ", ".join(f"{n} {what} queued" for what, n in counts.items())
            + f"; {sent} sent by email"
        )

    @app.cli.command("send-outturn-warnings")
    @click.option(
        "--today",
        type=click.DateTime(formats=["%Y-%m-%d"]),
        default=None,
        help="The date to judge the year-end outturn as of (default: today)",
    )
    def send_outturn_warnings_command(today) -> None:
        """From 1 October, email the officers of each stream whose forecast outturn is outside
        its margin, naming the grants that drive it. Run it daily or weekly: each officer hears
        of a stream once a week."""
        from datetime import date

        from tracker.infrastructure import mail
        from tracker.services.outturn import send_weekly_warnings

        queued = send_weekly_warnings(
            today.date() if today else date.today(), current_app.config.get("BASE_URL", "")
        )
        db.session.commit()
        sent = mail.deliver_pending(limit=10_000)
        click.echo(f"{queued} year-end warnings queued; {sent} sent by email")

    @app.cli.command("send-outbox")
    def send_outbox_command() -> None:
        """Send what is waiting in the outbox (needs MAIL_SERVER)."""
        from tracker.infrastructure import mail

        click.echo(f"{mail.deliver_pending(limit=10_000)} sent")

    @app.cli.command("create-user")
    @click.option("--email", required=True)
    @click.option("--name", required=True)
    @click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
    @click.option(
        "--organisation",
        "org_id",
        default=None,
        help="The org-id of a grantee's organisation, like GB-LAE-LBH",
    )
    @click.password_option(help="12 characters or more; asked for if not given")
    def create_user_command(email, name, role, org_id, password) -> None:
        """Add a user who can sign in."""
        organisation = None
        if org_id:
            organisation = organisation_data.organisation_by_org_id(org_id.strip().upper())
            if organisation is None:
                raise click.ClickException(f"No organisation has the identifier {org_id}")
        try:
            user = user_service.create_user(
                SYSTEM,
                email=email,
                name=name,
                role=Role(role),
                password=password,
                organisation=organisation,
            )
        except RuleBroken as error:
            db.session.rollback()
            raise click.ClickException(error.message) from error
        db.session.commit()
        click.echo(f"Created {user.email} ({user.role.label})")


    @app.cli.command("confirm-org-id")
    @click.argument("org_id")
    @click.option(
        "--source",
        required=True,
        help="Where the org-id was checked, for example the register record's address",
    )
    def confirm_org_id_command(org_id, source) -> None:
        """Record that a department's org-id has been checked against the Government
        Organisation Register: its grants are then published in the 360Giving data."""
        from tracker.data import streams as stream_data
        from tracker.services import audit

        department = stream_data.department_by_org_id(org_id.strip().upper())
        if department is None:
            raise click.ClickException(f"No department has the org-id {org_id}")
        if not source.strip():
            raise click.ClickException("Say where the org-id was checked (--source)")
        fields = ["org_id", "org_id_confirmed", "org_id_source"]
        before = audit.snapshot(department, fields)
        department.org_id_confirmed, department.org_id_source = True, source.strip()
        db.session.flush()
        audit.record(
            SYSTEM,
            "department org-id confirmed",
            department,
            before=before,
            after=audit.snapshot(department, fields),
        )
        db.session.commit()
        click.echo(f"{department.name}'s org-id {department.org_id} is confirmed")


def _size(size_bytes: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if size_bytes < 1024 or unit == "GB":
            return f"{size_bytes:,} {unit}" if unit == "bytes" else f"{size_bytes:,.1f} {unit}"
        size_bytes /= 1024
    return ""
