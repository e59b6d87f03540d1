"""Row builders for what grantees report and are paid: milestones, returns with their spend
lines, indicator values and reviews, and payments. Each walks the history (history.py) afresh, so
nothing of a million returns is held at once."""

from tracker.bench_data.audit import RAG_CODES, AuditNotes, payment_extra
from tracker.bench_data.history import HOUR, LATEST, PaymentFact, at, iter_milestones, iter_returns
from tracker.bench_data.ids import Ids
from tracker.bench_data.plan import Plan
from tracker.bench_data.rows_setup import STAMPS

MILESTONE_COLUMNS = [
    *STAMPS,
    "project_id",
    "title",
    "due_on",
    "payment_pence",
    "status",
    "completed_on",
]


def first_milestone_payment(plan: Plan, ids: Ids) -> int:
    """Milestone payments are numbered after every return's payment."""
    closed = sum(1 for status in plan.status if status == "closed")
    return ids.base["payment"] + plan.sizes.payments - closed


def milestones(plan: Plan, ids: Ids, notes: AuditNotes):
    for m in iter_milestones(plan, ids, first_milestone_payment(plan, ids)):
        created = at(plan.dates(m.allocation)[0]) - HOUR * 200
        updated = created
        if m.status == "completed":
            updated = at(m.completed_on, 16)
            notes.add(updated, "milestone completed", "milestone", m.id, m.completed_by)
        if m.payment is not None:
            _payment_notes(notes, m.payment)
        yield (
            m.id,
            created,
            updated,
            m.project_id,
            m.title,
            m.due_on,
            m.payment_pence,
            m.status,
            m.completed_on,
        )


RETURN_COLUMNS = [
    *STAMPS,
    "project_id",
    "period_start",
    "period_end",
    "due_on",
    "revision",
    "status",
    "narrative",
    "risks",
    "overspend_explanation",
    "self_rag",
    "reviewer_rag",
    "drafted_by_id",
    "signed_off_by_id",
    "submitted_at",
    "reviewed_by_id",
    "reviewed_at",
    "completed_sections",
    "grantee_response",
    "declared_by_name",
    "due_on_moved_reason",
    "version",
]
ALL_SECTIONS = ["evidence", "forecast", "milestones", "narrative", "outputs", "rag", "spend"]
VERSIONS = {
    "not started": 1,
    "draft": 3,
    "awaiting sign-off": 9,
    "submitted": 9,
    "changes requested": 10,
    "approved": 10,
}


def returns(plan: Plan, ids: Ids, notes: AuditNotes):
    for r in iter_returns(plan, ids):
        organisation = plan.organisations[plan.organisation[r.allocation]]
        filled = r.status != "not started"
        grantee = ids.grantee(organisation.index) if filled else None
        certifier = ids.certifier(organisation.index) if r.signed_off else None
        if filled:
            _return_notes(plan, ids, notes, r, grantee, certifier)
        yield (
            r.id,
            r.created,
            r.updated,
            r.project_id,
            r.period_start,
            r.period_end,
            r.due_on,
            1,
            r.status,
            "Illustrative progress made up for benchmarking." if filled else "",
            "Recruitment remains the main risk." if filled else "",
            "",
            r.self_rag,
            r.reviewer_rag,
            grantee,
            certifier,
            r.submitted,
            r.reviewer,
            r.reviewed,
            ["outputs", "spend"] if r.status == "draft" else ALL_SECTIONS if filled else [],
            "We have corrected the delivery line." if r.first_submitted else "",
            f"Grantee at {organisation.name}" if r.submitted else "",
            "",
            VERSIONS[r.status] + (2 if r.first_submitted else 0),
        )


def _return_notes(plan, ids, notes: AuditNotes, r, grantee: int, certifier: int | None) -> None:
    stream = plan.stream[r.allocation]
    indicators = ids.indicators(stream)
    notes.add(r.drafted, "return spend saved", "milestone_return", r.id, grantee, r.spend)
    notes.add(
        r.drafted + HOUR,
        "return outputs saved",
        "milestone_return",
        r.id,
        grantee,
        indicators[0] << 8 | len(indicators),
    )
    notes.add(r.drafted + 2 * HOUR, "return narrative saved", "milestone_return", r.id, grantee)
    notes.add(
        r.drafted + 3 * HOUR,
        "return RAG saved",
        "milestone_return",
        r.id,
        grantee,
        RAG_CODES.index(r.self_rag),
    )
    if r.submitted is None:
        return
    sign_off = int(plan.streams[stream].requires_sign_off)
    notes.add(
        r.first_submitted or r.submitted,
        "return submitted",
        "milestone_return",
        r.id,
        grantee,
        sign_off,
    )
    if certifier:
        notes.add(r.signed_off, "return signed off", "milestone_return", r.id, certifier)
    if r.first_submitted:
        notes.add(
            r.sent_back,
            "return changes requested",
            "milestone_return",
            r.id,
            r.reviewer,
            RAG_CODES.index(r.self_rag),
        )
        notes.add(r.submitted, "return submitted", "milestone_return", r.id, grantee, 0)
    if r.reviewed:
        action = "return approved" if r.status == "approved" else "return changes requested"
        notes.add(
            r.reviewed,
            action,
            "milestone_return",
            r.id,
            r.reviewer,
            RAG_CODES.index(r.reviewer_rag),
        )
    if r.payment is not None:
        _payment_notes(notes, r.payment)


def _payment_notes(notes: AuditNotes, p: PaymentFact) -> None:
    extra = payment_extra(p.amount, p.requested_by)
    notes.add(p.requested, "payment requested", "payment", p.id, p.requested_by, extra)
    if p.approved is not None:
        notes.add(p.approved, "payment approved", "payment", p.id, p.approved_by, extra)
    if p.status == "paid":
        notes.add(at(p.paid_on, 15), "payment paid", "payment", p.id, p.approved_by, extra)
    if p.status == "held":
        held = min((p.approved or p.requested) + 2 * HOUR, LATEST)
        notes.add(held, "payment held", "payment", p.id, p.approved_by or 0, extra)


SPEND_COLUMNS = [*STAMPS, "return_id", "category", "amount_pence"]


def spend_lines(plan: Plan, ids: Ids, notes: AuditNotes):
    row_id = ids.base["return_spend"]
    for r in iter_returns(plan, ids):
        if r.status == "not started":
            continue
        staff, delivery = r.spend * 60 // 100, r.spend * 30 // 100
        for category, pence in (
            ("staff", staff),
            ("delivery", delivery),
            ("overheads", r.spend - staff - delivery),
            ("capital", 0),
        ):
            row_id += 1
            yield row_id, r.drafted, r.drafted, r.id, category, pence


VALUE_COLUMNS = [*STAMPS, "return_id", "indicator_id", "value"]


def indicator_values(plan: Plan, ids: Ids, notes: AuditNotes):
    row_id = ids.base["return_indicator_value"]
    for r in iter_returns(plan, ids):
        if r.status == "not started":
            continue
        when = r.drafted + HOUR
        for k, indicator_id in enumerate(ids.indicators(plan.stream[r.allocation])):
            row_id += 1
            yield row_id, when, when, r.id, indicator_id, (r.id * 7 + k * 13) % 41


REVIEW_COLUMNS = [*STAMPS, "return_id", "decision", "reasons", "rag", "decided_by_id", "decided_at"]
REASONS = "The spend does not match the invoices in the evidence: check the delivery line."


def reviews(plan: Plan, ids: Ids, notes: AuditNotes):
    row_id = ids.base["return_review"]
    for r in iter_returns(plan, ids):
        decisions = []
        if r.signed_off:
            certifier = ids.certifier(plan.organisation[r.allocation])
            decisions.append(("signed off", "", None, certifier, r.signed_off))
        if r.first_submitted:
            decisions.append(("changes requested", REASONS, r.self_rag, r.reviewer, r.sent_back))
        if r.reviewed:
            approved = r.status == "approved"
            decisions.append(
                (
                    "approved" if approved else "changes requested",
                    "" if approved else REASONS,
                    r.reviewer_rag,
                    r.reviewer,
                    r.reviewed,
                )
            )
        for decision in decisions:
            row_id += 1
            yield row_id, decision[4], decision[4], r.id, *decision


PAYMENT_COLUMNS = [
    *STAMPS,
    "allocation_id",
    "return_id",
    "milestone_id",
    "amount_pence",
    "status",
    "requested_by_id",
    "requested_at",
    "approved_by_id",
    "approved_at",
    "paid_on",
    "payment_reference",
    "version",
]


def payments(plan: Plan, ids: Ids, notes: AuditNotes):
    for r in iter_returns(plan, ids):
        if r.payment is not None:
            yield _payment_row(r.payment, ids.allocation(r.allocation), r.id, None)
    for m in iter_milestones(plan, ids, first_milestone_payment(plan, ids)):
        if m.payment is not None:
            yield _payment_row(m.payment, ids.allocation(m.allocation), None, m.id)


def _payment_row(p: PaymentFact, allocation_id: int, return_id, milestone_id) -> tuple:
    updated = at(p.paid_on, 15) if p.paid_on else (p.approved or p.requested)
    if p.status == "held":
        updated = min((p.approved or p.requested) + 2 * HOUR, LATEST)
    versions = {"requested": 1, "approved": 2, "paid": 3, "held": 3 if p.approved else 2}
    return (
        p.id,
        p.requested,
        updated,
        allocation_id,
        return_id,
        milestone_id,
        p.amount,
        p.status,
        p.requested_by,
        p.requested,
        p.approved_by,
        p.approved,
        p.paid_on,
        f"BENCH-PAY-{p.id:07d}" if p.paid_on else None,
        versions[p.status],
    )
