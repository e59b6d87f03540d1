"""flask seed, flask create-user. Each command runs in one transaction: all of it or none."""

import click
from flask import Flask, current_app

from tracker.data import organisations as organisation_data
from tracker.extensions import db
from tracker.models import Role
from tracker.services import users as user_service
from tracker.services.audit import SYSTEM
from tracker.services.errors import RuleBroken


def init_app(app: Flask) -> None:
    @app.cli.command("seed")
    @click.option(
        "--demo",
        is_flag=True,
        help="Add the illustrative demo organisations, "
        "allocations and users (never where TRACKER_ENV=production).",
    )
    def seed_command(demo: bool) -> None:
        """Load the Hidden Harms streams (and, with --demo, illustrative data)."""
        from tracker.seeding import seed

        try:
            counts = seed(demo, current_app.config["DEMO_PASSWORD"], current_app.config["ENV"])
        except RuleBroken as error:
            db.session.rollback()
            raise click.ClickException(error.message) from error
        db.session.commit()
        click.echo("Seeded: " + ", ".join(f"{n} {what} added" for what, n in counts.items()))

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
