"""Row builders for what grantees report and are paid: milestones, then in one walk over the
history (history.py) each return with its spend lines, indicator values, milestone progress,
reviews and payment, so a million returns are worked out once, and never held at once."""

from datetime import timedelta

from bench.data import milestones as milestone_history
from bench.data.audit import RAG_CODES, AuditNotes, payment_extra
from bench.data.history import HOUR, LATEST, PaymentFact, ReturnFact, at, iter_returns
from bench.data.ids import Ids
from bench.data.plan import Plan
from bench.data.rows_setup import STAMPS

MILESTONE_COLUMNS = [*STAMPS, "project_id", "title", "due_on", "payment_pence", "status",
                     "completed_on"]  # fmt: skip


def first_milestone_payment(plan: Plan, ids: Ids) -> int:
    """Milestone payments are numbered after every return's payment."""
    closed = sum(1 for status in plan.status if status == "closed")
    return ids.base["payment"] + plan.sizes.payments - closed


def milestones(plan: Plan, ids: Ids, notes: AuditNotes):
    first = first_milestone_payment(plan, ids)
    for m in milestone_history.iter_milestones(plan, ids, first):
        created = at(plan.dates(m.allocation)[0]) - HOUR * 200
        updated = created
        if m.status == "completed":
            updated = at(m.completed_on, 16)
            notes.add(updated, "milestone completed", "milestone", m.id, m.completed_by)
        if m.payment is not None:
            _payment_notes(notes, m.payment)
        yield (m.id, created, updated, m.project_id, m.title, m.due_on, m.payment_pence,
               m.status, m.completed_on)  # fmt: skip


def milestone_payments(plan: Plan, ids: Ids, notes: AuditNotes):
    first = first_milestone_payment(plan, ids)
    for m in milestone_history.iter_milestones(plan, ids, first):
        if m.payment is not None:
            yield _payment_row(m.payment, ids.allocation(m.allocation), None, m.id)


RETURN_COLUMNS = [*STAMPS, "project_id", "period_start", "period_end", "due_on", "revision",
                  "status", "narrative", "risks", "overspend_explanation", "self_rag",
                  "reviewer_rag", "drafted_by_id", "signed_off_by_id", "submitted_at",
                  "reviewed_by_id", "reviewed_at", "completed_sections", "grantee_response",
                  "declared_by_name", "due_on_moved_reason", "version"]  # fmt: skip
SPEND_COLUMNS = [*STAMPS, "return_id", "category", "amount_pence"]
VALUE_COLUMNS = [*STAMPS, "return_id", "indicator_id", "value"]
FORECAST_COLUMNS = [*STAMPS, "return_id", "period_start", "amount_pence"]
PROGRESS_COLUMNS = [*STAMPS, "return_id", "milestone_id", "completed", "note"]
REVIEW_COLUMNS = [*STAMPS, "return_id", "decision", "reasons", "rag", "decided_by_id",
                  "decided_at"]  # fmt: skip
PAYMENT_COLUMNS = [*STAMPS, "allocation_id", "return_id", "milestone_id", "amount_pence",
                   "status", "requested_by_id", "requested_at", "approved_by_id", "approved_at",
                   "paid_on", "payment_reference", "version"]  # fmt: skip
# The tables return_rows fills, in the order their rows are written (parents first).
RETURN_TABLES = [
    ("milestone_return", RETURN_COLUMNS),
    ("return_spend", SPEND_COLUMNS),
    ("return_indicator_value", VALUE_COLUMNS),
    ("return_forecast", FORECAST_COLUMNS),
    ("return_milestone_progress", PROGRESS_COLUMNS),
    ("return_review", REVIEW_COLUMNS),
    ("payment", PAYMENT_COLUMNS),
]
ALL_SECTIONS = ["evidence", "forecast", "milestones", "narrative", "outputs", "rag", "spend"]
VERSIONS = {"not started": 1, "draft": 3, "awaiting sign-off": 9, "submitted": 9,
            "changes requested": 10, "approved": 10}  # fmt: skip
REASONS = "The spend does not match the invoices in the evidence: check the delivery line."


def return_rows(plan: Plan, ids: Ids, notes: AuditNotes):
    """For each return, a list of rows for each of RETURN_TABLES."""
    next_id = {table: ids.base[table] for table, _ in RETURN_TABLES}

    def new_id(table: str) -> int:
        next_id[table] += 1
        return next_id[table]

    for r in iter_returns(plan, ids):
        organisation = plan.organisations[plan.organisation[r.allocation]]
        filled = r.status != "not started"
        grantee = ids.grantee(organisation.index) if filled else None
        certifier = ids.certifier(organisation.index) if r.signed_off else None
        the_return = (
            r.id, r.created, r.updated, r.project_id, r.period_start, r.period_end, r.due_on, 1,
            r.status,
            "Illustrative progress made up for benchmarking." if filled else "",
            "Recruitment remains the main risk." if filled else "",
            "", r.self_rag, r.reviewer_rag, grantee, certifier, r.submitted,
            r.reviewer, r.reviewed,
            ["outputs", "spend"] if r.status == "draft" else ALL_SECTIONS if filled else [],
            "We have corrected the delivery line." if r.first_submitted else "",
            f"Grantee at {organisation.name}" if r.submitted else "", "",
            VERSIONS[r.status] + (2 if r.first_submitted else 0),
        )  # fmt: skip
        if not filled:
            yield [the_return], [], [], [], [], [], []
            continue
        _return_notes(plan, ids, notes, r, grantee, certifier)
        staff, delivery = r.spend * 60 // 100, r.spend * 30 // 100
        spend = [
            (new_id("return_spend"), r.drafted, r.drafted, r.id, category, pence)
            for category, pence in (("staff", staff), ("delivery", delivery),
                                    ("overheads", r.spend - staff - delivery), ("capital", 0))
        ]  # fmt: skip
        when = r.drafted + HOUR
        values = [
            (new_id("return_indicator_value"), when, when, r.id, indicator_id,
             (r.id * 7 + k * 13) % 41)
            for k, indicator_id in enumerate(ids.indicators(plan.stream[r.allocation]))
        ]  # fmt: skip
        # The grantee forecasts the next period's spend at this period's rate.
        forecast = [
            (new_id("return_forecast"), when, when, r.id, r.period_end + timedelta(days=1), r.spend)
        ]
        yield (
            [the_return],
            spend,
            values,
            forecast,
            _progress(plan, ids, r, new_id),
            [(new_id("return_review"), d[4], d[4], r.id, *d) for d in _decisions(plan, ids, r)],
            [_payment_row(r.payment, ids.allocation(r.allocation), r.id, None)]
            if r.payment
            else [],
        )


def _progress(plan: Plan, ids: Ids, r: ReturnFact, new_id) -> list[tuple]:
    """What the grantee said of the milestone due in the period, once they reported on it."""
    if r.milestone is None or r.status == "draft":
        return []
    last = r.period_end == plan.dates(r.allocation)[1]
    closing = plan.status[r.allocation] == "closed" and last and r.project_index == 0
    status, _, _ = milestone_history.outcome(
        plan, ids, r.allocation, r.milestone, r.period_end, closing
    )
    done = status == "completed"
    note = "Delivered as planned." if done else "Delayed: we expect it next period."
    return [(new_id("return_milestone_progress"), r.drafted, r.drafted, r.id, r.milestone,
             done, note)]  # fmt: skip


def _decisions(plan: Plan, ids: Ids, r: ReturnFact) -> list[tuple]:
    decisions = []
    if r.signed_off:
        certifier = ids.certifier(plan.organisation[r.allocation])
        decisions.append(("signed off", "", None, certifier, r.signed_off))
    if r.first_submitted:
        decisions.append(("changes requested", REASONS, r.self_rag, r.reviewer, r.sent_back))
    if r.reviewed:
        approved = r.status == "approved"
        decisions.append(("approved" if approved else "changes requested",
                          "" if approved else REASONS, r.reviewer_rag, r.reviewer,
                          r.reviewed))  # fmt: skip
    return decisions


def _return_notes(plan, ids, notes: AuditNotes, r, grantee: int, certifier: int | None) -> None:
    stream = plan.stream[r.allocation]
    indicators = ids.indicators(stream)
    add = notes.add
    add(r.drafted, "return spend saved", "milestone_return", r.id, grantee, r.spend)
    add(r.drafted + HOUR, "return outputs saved", "milestone_return", r.id, grantee,
        indicators[0] << 8 | len(indicators))  # fmt: skip
    add(r.drafted + 2 * HOUR, "return narrative saved", "milestone_return", r.id, grantee)
    add(r.drafted + 3 * HOUR, "return RAG saved", "milestone_return", r.id, grantee,
        RAG_CODES.index(r.self_rag))  # fmt: skip
    if r.submitted is None:
        return
    sign_off = int(plan.streams[stream].requires_sign_off)
    add(r.first_submitted or r.submitted, "return submitted", "milestone_return", r.id, grantee,
        sign_off)  # fmt: skip
    if certifier:
        add(r.signed_off, "return signed off", "milestone_return", r.id, certifier)
    if r.first_submitted:
        add(r.sent_back, "return changes requested", "milestone_return", r.id, r.reviewer,
            RAG_CODES.index(r.self_rag))  # fmt: skip
        add(r.submitted, "return submitted", "milestone_return", r.id, grantee, 0)
    if r.reviewed:
        action = "return approved" if r.status == "approved" else "return changes requested"
        add(r.reviewed, action, "milestone_return", r.id, r.reviewer,
            RAG_CODES.index(r.reviewer_rag))  # fmt: skip
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


def _payment_row(p: PaymentFact, allocation_id: int, return_id, milestone_id) -> tuple:
    updated = at(p.paid_on, 15) if p.paid_on else (p.approved or p.requested)
    if p.status == "held":
        updated = min((p.approved or p.requested) + 2 * HOUR, LATEST)
    versions = {"requested": 1, "approved": 2, "paid": 3, "held": 3 if p.approved else 2}
    return (p.id, p.requested, updated, allocation_id, return_id, milestone_id, p.amount,
            p.status, p.requested_by, p.requested, p.approved_by, p.approved, p.paid_on,
            f"BENCH-PAY-{p.id:07d}" if p.paid_on else None, versions[p.status])  # fmt: skip
