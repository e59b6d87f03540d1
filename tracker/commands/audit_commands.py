"""flask audit verify, flask audit head: the audit trail checked as evidence."""

import re

import click
from flask import Flask

from tracker.data import audit as audit_data
from tracker.domain import audit_chain
from tracker.domain.audit_chain import verify

LIMITS = """
What it cannot detect on its own: the newest events removed (the trail simply looks shorter),
or the whole trail rewritten by someone who can also recompute every hash. Write the head hash
down somewhere the database's users cannot change (`flask audit head`, say daily, into a
ticket or a signed email), and pass it back with --expect-head: verify then fails if no event
carries it."""


def _head_hash(_ctx, _param, value: str | None) -> str | None:
    if value is not None and not re.fullmatch(r"[0-9a-f]{64}", value.strip().lower()):
        raise click.BadParameter("give the 64 hexadecimal characters `flask audit head` printed")
    return value.strip().lower() if value else None


def init_app(app: Flask) -> None:
    @app.cli.group("audit")
    def audit_group() -> None:
        """The audit trail as evidence: each event carries the hash of the one before it."""

    @audit_group.command(
        "verify",
        help="Walk the audit trail in id order, recompute every event's hash, and report the "
        "first event that was altered or removed. Exits 0 when the trail is intact, 1 when "
        "it is not.\n\n" + LIMITS,
    )
    @click.option(
        "--expect-head",
        callback=_head_hash,
        default=None,
        metavar="HASH",
        help="A head hash written down earlier (flask audit head): fail if no event has it.",
    )
    def verify_command(expect_head: str | None) -> None:
        verdict = verify(audit_data.chain_rows(), expect_head=expect_head)
        if verdict.intact:
            click.echo(f"Audit trail intact: {verdict.events:,} events, last hash {verdict.head}")
            return
        problem = verdict.first_break
        click.echo(
            f"Audit trail NOT intact: first problem at event {problem.event_id} "
            f"({problem.kind}). {problem.message}"
        )
        click.echo(f"{verdict.breaks:,} problem(s) found in {verdict.events:,} events.")
        raise SystemExit(1)

    @audit_group.command(
        "head",
        help="Print the newest audit event's hash, to write down somewhere else and give "
        "back to `flask audit verify --expect-head`.",
    )
    def head_command() -> None:
        head = audit_data.chain_head(lock=False)
        click.echo(head)

    @audit_group.command(
        "rekey",
        help="Re-hash the whole audit trail with the current AUDIT_CHAIN_KEY, after checking it "
        "is intact under the old key (--old-key-file, or --old-unkeyed for a trail written "
        "before the chain was keyed). In one transaction: all of it or none. Write the new "
        "head down afterwards (flask audit head).",
    )
    @click.option(
        "--old-key-file",
        type=click.Path(exists=True, dir_okay=False),
        default=None,
        help="A file holding the key the trail was hashed with until now.",
    )
    @click.option("--old-unkeyed", is_flag=True, help="The trail was hashed with plain SHA-256.")
    def rekey_command(old_key_file: str | None, old_unkeyed: bool) -> None:
        from pathlib import Path

        from tracker.extensions import db

        if bool(old_key_file) == old_unkeyed:
            raise click.UsageError("Give exactly one of --old-key-file and --old-unkeyed")
        old_key = None if old_unkeyed else Path(old_key_file).read_text().strip()
        audit_data.lock_chain()
        in_use = audit_chain.use_key(old_key)
        try:
            verdict = verify(audit_data.chain_rows())
        finally:
            audit_chain.use_key(in_use)
        if not verdict.intact:
            db.session.rollback()
            raise click.ClickException(
                "The trail is not intact under the old key, so it was not re-keyed: "
                + verdict.first_break.message
            )
        count = audit_data.rehash_all()
        db.session.commit()
        click.echo(
            f"Re-keyed {count:,} audit events; the new head is {audit_data.chain_head(lock=False)}"
        )
