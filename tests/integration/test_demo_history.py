"""`flask seed --demo --history`: the demo's past returns, reviews and payments, so the
dashboards have figures. Illustrative only, repeatable, and within every rule."""

from sqlalchemy import func, select

from tests.conftest import build_app
from tracker.extensions import db
from tracker.models import (
    Allocation,
    AuditEvent,
    MilestoneReturn,
    Payment,
    PaymentStatus,
    Project,
    ReturnStatus,
)


def seeded_with_history(make_database):
    app = build_app(make_database())
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    first = runner.invoke(args=["seed", "--demo", "--history"])
    assert first.exit_code == 0, first.output
    assert first.output.strip().endswith("4 grants moved towards closure")  # not "... added"
    return app, runner


def test_history_fills_past_returns_and_pays_them_once_only(make_database):
    app, runner = seeded_with_history(make_database)
    with app.app_context():
        approved = db.session.scalar(
            select(func.count()).where(MilestoneReturn.status == ReturnStatus.APPROVED)
        )
        paid = db.session.scalar(select(func.count()).where(Payment.status == PaymentStatus.PAID))
        assert approved > 0
        assert paid == approved  # one payment for each approved return
    again = runner.invoke(args=["seed", "--demo", "--history"])
    assert again.exit_code == 0
    assert "0 allocations added" in again.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Payment)) == paid


def test_history_belongs_only_to_illustrative_allocations_and_never_overpays(make_database):
    app, _ = seeded_with_history(make_database)
    with app.app_context():
        rows = db.session.execute(
            select(
                Allocation.is_illustrative, Allocation.amount_pence, func.sum(Payment.amount_pence)
            )
            .join(Payment, Payment.allocation_id == Allocation.id)
            .group_by(Allocation.id, Allocation.is_illustrative, Allocation.amount_pence)
        ).all()
        assert rows
        for illustrative, amount, paid in rows:
            assert illustrative is True
            assert paid <= amount
        filled = db.session.scalars(
            select(Project.is_illustrative)
            .join(MilestoneReturn)
            .where(MilestoneReturn.status != ReturnStatus.NOT_STARTED)
        ).all()
        assert filled and all(filled)


def test_seeded_paid_payments_have_three_people_and_audit_events_like_any_other(make_database):
    """Requested by an officer, approved by one finance officer, paid by another; each step
    written to the audit trail by the person who took it (issue 14 item 11, issue 18 item 1)."""
    app, _ = seeded_with_history(make_database)
    with app.app_context():
        paid = list(db.session.scalars(select(Payment).where(Payment.status == PaymentStatus.PAID)))
        assert paid
        for payment in paid:
            people = [payment.requested_by_id, payment.approved_by_id, payment.paid_by_id]
            assert None not in people and len(set(people)) == 3
            steps = db.session.execute(
                select(AuditEvent.action, AuditEvent.actor_id)
                .where(AuditEvent.object_type == "payment", AuditEvent.object_id == payment.id)
                .order_by(AuditEvent.id)
            ).all()
            assert [tuple(step) for step in steps] == list(
                zip(["payment requested", "payment approved", "payment paid"], people, strict=True)
            )


def test_the_demo_shows_each_stage_of_closing_a_grant(make_database):
    """Four Trusted Relationship Fund grants, at each stage: a final return to review; closed
    with money owed; closed with part of it paid back; closed with a write-off to approve. The
    totals agree with the rows, and seeding again changes none of it."""
    from tracker.commands.demo_closure import STAGES, identifier_of
    from tracker.data import closure as closure_data
    from tracker.models import AllocationStatus, FinalReturnStatus, RecoveryStatus
    from tracker.totals import tracking

    app, runner = seeded_with_history(make_database)

    def stages():
        found = {}
        for org_id in STAGES:
            grant = db.session.scalars(
                select(Allocation).where(Allocation.identifier == identifier_of(org_id))
            ).one()
            final = closure_data.final_return_of(grant.id)
            recovery = closure_data.recovery_of(grant.id)
            found[org_id] = (
                grant.status,
                final.status,
                recovery and (recovery.status, recovery.received_pence > 0),
            )
        return found

    with app.app_context():
        seen = stages()
        assert seen == {
            "GB-LAE-KEN": (AllocationStatus.ACTIVE, FinalReturnStatus.SUBMITTED, None),
            "GB-LAE-NFK": (
                AllocationStatus.CLOSED,
                FinalReturnStatus.ACCEPTED,
                (RecoveryStatus.OPEN, False),
            ),
            "GB-LAE-LCE": (
                AllocationStatus.CLOSED,
                FinalReturnStatus.ACCEPTED,
                (RecoveryStatus.OPEN, True),
            ),
            "GB-LAE-NGM": (
                AllocationStatus.CLOSED,
                FinalReturnStatus.ACCEPTED,
                (RecoveryStatus.WRITE_OFF_REQUESTED, False),
            ),
        }
        assert tracking.check(db.session) == []
    assert runner.invoke(args=["seed", "--demo", "--history"]).exit_code == 0
    with app.app_context():
        assert stages() == seen


def test_the_demo_shows_a_stream_under_budget_at_the_year_end(make_database):
    """The illustrative stream with a year under way: from 1 October of that year it is flagged
    under budget (£700,000 of £1,000,000 committed), on the year-end figures and to its
    officers; before then it is not; its returns so far are filled, none of those to come."""
    from datetime import date

    from tracker.commands import demo_year_end
    from tracker.data.reporting import Filters
    from tracker.domain.periods import FinancialYear
    from tracker.services import outturn

    app, _ = seeded_with_history(make_database)
    year = FinancialYear(demo_year_end.year_under_way(date.today()))
    with app.app_context():
        found = outturn.year_end(
            Filters(financial_year=year.start_year), date(year.start_year, 12, 1)
        )
        (row,) = [r for r in found.rows if r.name == demo_year_end.NAME]
        assert row.budget_pence == 1_000_000_00
        assert row.committed_pence == 700_000_00
        assert found.flags[row.stream_id] == outturn.UNDER
        early = outturn.year_end(
            Filters(financial_year=year.start_year), date(year.start_year, 9, 30)
        )
        assert row.stream_id not in early.flags
        filled = db.session.scalars(
            select(MilestoneReturn.due_on)
            .join(Project, MilestoneReturn.project_id == Project.id)
            .join(Allocation, Project.allocation_id == Allocation.id)
            .where(
                Allocation.identifier.like(f"360G-HHT-DEMO-{demo_year_end.CODE}-%"),
                MilestoneReturn.status != ReturnStatus.NOT_STARTED,
            )
        ).all()
        assert all(due < date.today() for due in filled)
