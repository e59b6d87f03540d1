"""The audit trail of the generated history. While the other tables are written, each event is
noted as one packed integer (when, what, which object, who, one number of detail); at the end the
notes are sorted by time, the latest `audit_events` kept (as if older ones had been archived) or
topped up with sign-ins, and each is turned into a row as the services would have written it.

Every audit row goes into the database through write_audit_events, and only there."""

from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta

import sqlalchemy as sa

from bench.data.history import allocation_times
from bench.data.plan import CONDITIONS, Plan, allocation_title, profile
from tracker.data.audit import CHAIN_LOCK_KEY
from tracker.domain.audit_chain import GENESIS, HASHED_FIELDS, chain

EPOCH = datetime(2010, 1, 1)
# In the order events of one moment happen (a return is approved, then its payment requested).
KINDS = [
    ("stream created", "funding_stream"),
    ("budget set", "stream_budget"),
    ("budget set", "funding_stream"),
    ("organisation created", "organisation"),
    ("user created", "app_user"),
    ("allocation created", "allocation"),
    ("allocation offered", "allocation"),
    ("allocation accepted", "allocation"),
    ("allocation active", "allocation"),
    ("allocation closed", "allocation"),
    ("allocation withdrawn", "allocation"),
    ("return spend saved", "milestone_return"),
    ("return outputs saved", "milestone_return"),
    ("return narrative saved", "milestone_return"),
    ("return RAG saved", "milestone_return"),
    ("return submitted", "milestone_return"),
    ("return signed off", "milestone_return"),
    ("return changes requested", "milestone_return"),
    ("return approved", "milestone_return"),
    ("milestone completed", "milestone"),
    ("payment requested", "payment"),
    ("payment approved", "payment"),
    ("payment paid", "payment"),
    ("payment held", "payment"),
    ("variation requested", "allocation"),
    ("variation approved", "allocation"),
    ("variation refused", "allocation"),
    ("signed in", "app_user"),
]
CODE = {(action, object_type): n for n, (action, object_type) in enumerate(KINDS)}
RAG_CODES = [None, "red", "amber", "green"]
PAYMENT_FIELDS = [
    "status",
    "amount_pence",
    "requested_by_id",
    "approved_by_id",
    "paid_on",
    "payment_reference",
]


class AuditNotes:
    """The events noted so far, each packed into one int that sorts by time."""

    def __init__(self):
        self.notes: list[int] = []
        self.emails: dict[int, str] = {}  # user id: email (a few thousand)
        self.variations: dict[int, tuple] = {}  # variation id: (before, after), a few hundred

    def add(
        self,
        when: datetime,
        action: str,
        object_type: str,
        object_id: int,
        actor: int | None = None,
        extra: int = 0,
    ) -> None:
        seconds = int((when - EPOCH).total_seconds())
        kind = CODE[(action, object_type)]
        self.notes.append(
            (((((seconds << 6) | kind) << 32 | object_id) << 24 | (actor or 0)) << 64) | extra
        )


def unpack(note: int) -> tuple[datetime, int, int, int | None, int]:
    extra, note = note & (2**64 - 1), note >> 64
    actor, note = note & (2**24 - 1), note >> 24
    object_id, note = note & (2**32 - 1), note >> 32
    kind, seconds = note & 63, note >> 6
    return EPOCH + timedelta(seconds=seconds), kind, object_id, actor or None, extra


def payment_extra(amount: int, requested_by: int) -> int:
    return amount << 24 | requested_by


def final_notes(notes: AuditNotes, wanted: int, sign_ins: Iterator[tuple[datetime, int]]):
    """The latest `wanted` notes in time order, topped up with sign-ins if there are too few."""
    chosen = notes.notes
    while len(chosen) < wanted:
        when, user_id = next(sign_ins)
        notes.add(when, "signed in", "app_user", user_id, user_id)
    chosen.sort()
    return chosen[len(chosen) - wanted :]


class Describer:
    """Turns a note back into the row the service would have written."""

    def __init__(self, plan: Plan, ids, notes: AuditNotes):
        self.plan, self.ids, self.notes = plan, ids, notes
        self.next_id = ids.base["audit_event"]

    def row(self, note: int) -> dict:
        when, kind, object_id, actor, extra = unpack(note)
        action, object_type = KINDS[kind]
        before, after = self._values(action, object_type, object_id, actor, extra, when)
        self.next_id += 1
        return {
            "id": self.next_id,
            "occurred_at": when,
            "actor_id": actor,
            "action": action,
            "object_type": object_type,
            "object_id": object_id,
            "before": before,
            "after": after,
            "remote_address": f"192.0.2.{actor % 250 + 1}" if actor else "system",
        }

    def _values(self, action, object_type, object_id, actor, extra, when):
        plan, ids = self.plan, self.ids
        if object_type == "allocation" and action.startswith("allocation"):
            i = object_id - ids.base["allocation"] - 1
            if action == "allocation created":
                start, end = plan.dates(i)
                return None, {
                    "identifier": f"360G-HHT-BENCH-{i + 1:06d}",
                    "stream_id": ids.stream(plan.stream[i]),
                    "organisation_id": ids.organisation(plan.organisation[i]),
                    "title": allocation_title(plan, i),
                    "amount_pence": plan.amount[i],
                    "awarded_on": allocation_times(plan, i).awarded_on.isoformat(),
                    "planned_start": start.isoformat(),
                    "planned_end": end.isoformat(),
                    "conditions": CONDITIONS,
                    "status": "draft",
                    "approved_by_id": None,
                    "profile": {str(y): p for y, p in profile(plan.amount[i], start, end).items()},
                }
            previous = {
                "offered": "draft",
                "accepted": "offered",
                "active": "accepted",
                "closed": "active",
                "withdrawn": "offered",
            }
            status = action.split()[1]
            approver = ids.officer(plan.offered_by[i])
            after = {"status": status, "approved_by_id": approver}
            if status == "withdrawn":
                after["reason"] = "The grantee can no longer deliver the project."
            return {
                "status": previous[status],
                "approved_by_id": None if status == "offered" else approver,
            }, after
        if object_type == "payment":
            amount, requested_by = extra >> 24, extra & (2**24 - 1)
            values = ["requested", amount, requested_by, None, None, None]
            base = dict(zip(PAYMENT_FIELDS, values, strict=True))
            if action == "payment requested":
                return None, base
            if action == "payment approved":
                return base, {**base, "status": "approved", "approved_by_id": actor}
            approved = {**base, "status": "approved", "approved_by_id": actor}
            if action == "payment paid":
                return approved, {
                    **approved,
                    "status": "paid",
                    "paid_on": when.date().isoformat(),
                    "payment_reference": f"BENCH-PAY-{object_id:07d}",
                }
            return base, {**base, "status": "held", "reason": "Awaiting the grantee's bank details"}
        if action == "return spend saved":
            staff, delivery = extra * 60 // 100, extra * 30 // 100
            return {}, {
                "staff": staff,
                "delivery": delivery,
                "overheads": extra - staff - delivery,
                "capital": 0,
            }
        if action == "return outputs saved":
            return None, {str(k): v for k, v in outputs(extra, object_id)}
        if action == "return RAG saved":
            return {"self_rag": None}, {"self_rag": RAG_CODES[extra]}
        if action == "return submitted":
            return {"status": "draft"}, {
                "status": "awaiting sign-off" if extra else "submitted",
                "declared_by_name": f"Grantee at {self._organisation_of(actor).name}",
            }
        if action == "return signed off":
            return {"status": "awaiting sign-off"}, {"status": "submitted", "reason": ""}
        if action in ("return approved", "return changes requested"):
            approved = action == "return approved"
            return {"status": "submitted", "reviewer_rag": None}, {
                "status": "approved" if approved else "changes requested",
                "reviewer_rag": RAG_CODES[extra],
                "reasons": "" if approved else CHANGES_REASON,
            }
        if action == "milestone completed":
            return {"status": "planned", "completed_on": None}, {
                "status": "completed",
                "completed_on": when.date().isoformat(),
            }
        return self._setup_values(action, object_type, object_id, extra)

    def _organisation_of(self, grantee_id: int):
        n = (grantee_id - self.ids.grantee(0)) // 2
        return self.plan.organisations[n]

    def _setup_values(self, action, object_type, object_id, extra):
        plan, ids = self.plan, self.ids
        if action == "stream created":
            stream = plan.streams[object_id - ids.base["funding_stream"] - 1]
            return None, {
                "code": stream.code,
                "name": stream.name,
                "reporting_frequency": stream.frequency,
                "first_year": stream.first_year,
                "last_year": stream.last_year,
                "requires_certifier_sign_off": stream.requires_sign_off,
            }
        if action == "budget set":
            stream, year = divmod(extra, 10_000)
            resource, capital = plan.streams[stream].budgets[year]
            return None, {
                "financial_year": year,
                "resource_pence": resource,
                "capital_pence": capital,
            }
        if action == "organisation created":
            org = plan.organisations[object_id - ids.base["organisation"] - 1]
            return None, {
                "name": org.name,
                "type": org.type,
                "org_id": org.org_id,
                "region": org.region,
                "local_authority_code": org.local_authority_code,
                "is_illustrative": True,
            }
        if action == "user created":
            return None, {
                "email": self.notes.emails.get(object_id, ""),
                "role": ROLE_CODES[extra],
                "active": True,
            }
        if action.startswith("variation"):
            return self.notes.variations.get(extra, (None, None))
        return None, None


CHANGES_REASON = "The spend does not match the invoices in the evidence: check the delivery line."
ROLE_CODES = ["officer", "finance", "viewer", "admin", "grantee", "certifier"]


def outputs(allocation_and_stream: int, return_id: int) -> list[tuple[int, int]]:
    """The values reported for each indicator: (indicator id, value), made up but fixed."""
    first, count = allocation_and_stream >> 8, allocation_and_stream & 255
    return [(first + k, (return_id * 7 + k * 13) % 41) for k in range(count)]


def write_audit_events(writer, rows: Iterable[dict]) -> int:
    """Every generated audit row is inserted here, in id order, and nowhere else, chained to
    the newest event already in the table (or the genesis hash), so that `flask audit verify`
    holds on generated data as on real. The generator's connection holds the database for the
    whole run (SQLite's write lock; on PostgreSQL the chain's advisory lock is taken here), so
    nothing can append between the head read and the last insert. Returns how many were
    written."""
    if writer.postgres:
        writer.connection.execute(
            sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK_KEY}
        )
    head = writer.connection.scalar(
        sa.text("SELECT event_hash FROM audit_event ORDER BY id DESC LIMIT 1")
    )
    chained = chain(rows, head or GENESIS)
    return writer.insert(
        "audit_event", CHAINED_COLUMNS, (tuple(r[c] for c in CHAINED_COLUMNS) for r in chained)
    )


AUDIT_COLUMNS = ["id", *HASHED_FIELDS]
CHAINED_COLUMNS = [*AUDIT_COLUMNS, "previous_hash", "event_hash"]
