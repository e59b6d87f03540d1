"""Each audit event as a sentence a person can read: "Olu Officer (demo) changed the allocation
360G-… to London Borough of Lambeth: the profile for 2020-21 from £60,000 to £70,000."

The event keeps the raw values (they are hashed into the chain and never change); this module
only reads them. A page of events costs one query per kind of thing named (`names_of`)."""

from dataclasses import dataclass
from datetime import datetime

from tracker.data import audit as audit_data
from tracker.models import AuditEvent
from tracker.services import audit_phrases as words

# What each kind of object is called before its name.
NOUNS = {
    "allocation": "the allocation",
    "milestone_return": "the return for",
    "payment": "the payment of",
    "funding_stream": "the stream",
    "stream_budget": "the budget of",
    "organisation": "the organisation",
    "app_user": "the user",
    "milestone": "the milestone",
    "allocation_import": "allocations",
    "invitation": "the invitation of",
    "payee_account": "a bank account for",
    "api_token": "the API token",
}

# action -> the verb, when it is not the action's last words.
VERBS = {
    "allocation created": "created",
    "allocation changed": "changed",
    "allocation offered": "offered",
    "allocation accepted": "accepted",
    "offer accepted": "accepted the changed terms of",
    "offer made": "offered changed terms for",
    "allocation active": "activated",
    "allocation closed": "closed",
    "final return submitted": "submitted the final return of",
    "final return sent back": "sent back the final return of",
    "recovery raised": "raised a recovery on",
    "recovery received": "recorded money paid back on",
    "write-off requested": "asked to write off what is owed on",
    "write-off approved": "approved the write-off of what was owed on",
    "write-off refused": "refused the write-off of what is owed on",
    "allocation withdrawn": "withdrew",
    "allocation draft": "moved back to draft",
    "stream created": "created",
    "stream changed": "changed",
    "budget set": "set the budget of",
    "stream conditions changed": "changed the standard conditions of",
    "organisation created": "added",
    "organisation changed": "changed",
    "user created": "added",
    "user changed": "changed",
    "payment requested": "requested",
    "payment approved": "approved",
    "payment paid": "marked as paid",
    "payment held": "held",
    "payee change proposed": "proposed",
    "payee change confirmed": "confirmed",
    "payee change cancelled": "cancelled",
    "payee replaced": "recorded as replaced",
    "milestone completed": "recorded as completed",
    "return spend saved": "saved the spend of",
    "return forecast saved": "saved the forecast of",
    "return outputs saved": "saved the outputs of",
    "return milestones saved": "saved the milestone progress of",
    "return narrative saved": "saved the narrative of",
    "return RAG saved": "saved the RAG rating of",
    "return response saved": "saved the response to changes requested on",
    "return submitted": "submitted",
    "return signed off": "signed off",
    "return sent back to drafter": "sent back to its drafter",
    "return approved": "approved",
    "return changes requested": "asked for changes to",
    "return due date moved": "moved the due date of",
    "evidence added": "added evidence to",
    "evidence removed": "removed evidence from",
    "variation requested": "asked for a variation of",
    "variation approved": "approved a variation of",
    "variation refused": "refused a variation of",
    "allocations imported": "imported",
    "password changed": "changed their password",
    "password change refused": "gave a wrong current password when changing their password",
    "two-factor turned on": "turned on two-factor authentication for",
    "two-factor turned off": "turned off two-factor authentication for",
    "project added": "added",
    "project targets set": "set the targets of",
    "milestone added": "added",
    "reporting schedule set": "set the reporting schedule of",
    "invitation sent": "sent",
    "invitation resent": "sent again",
    "invitation cancelled": "cancelled",
    "invitation accepted": "accepted",
    "lead changed": "changed whether this person leads their organisation's team:",
    "password reset requested": "asked to reset the password of",
    "password reset": "reset the password of",
    "api token created": "made",
    "api token revoked": "revoked",
    "api token used": "used",
}

# Events about oneself read without the object: "Olu Officer signed in".
ABOUT_ONESELF = {"signed in", "signed out", "password changed", "password change refused"}

# Values that say who or what rather than what changed; not repeated in the details.
QUIET = {"status", "approved_by_id", "kind", "note", "reason", "reasons"}


@dataclass(frozen=True)
class Entry:
    event: AuditEvent
    when: datetime
    who: str
    sentence: str


def _refs(event: AuditEvent) -> set[tuple[str, int]]:
    refs = {("app_user", event.actor_id)} if event.actor_id else set()
    if event.object_id is not None and event.object_type:
        refs.add((event.object_type, event.object_id))
    for values in (event.before, event.after):
        for key, item in words.flatten(values).items():
            kind = words.kind_of(key)
            if kind and isinstance(item, int):
                refs.add((kind, item))
    return refs


def describe(events: list[AuditEvent]) -> list[Entry]:
    """The events in words, in the order given: one query for all the names they mention (run
    even for none, so a page costs the same whether its record has a history or not)."""
    refs = set().union(*(_refs(e) for e in events)) if events else set()
    names = audit_data.names_of(refs)
    return [_entry(event, names) for event in events]


def _who(event: AuditEvent, names: dict) -> str:
    if event.actor_id is None:
        return "The service" if event.remote_address == "system" else "Someone not signed in"
    return names.get(("app_user", event.actor_id), f"User {event.actor_id}")


def _object(event: AuditEvent, names: dict) -> str:
    kind = event.object_type
    noun = NOUNS.get(kind, f"the {kind.replace('_', ' ')}" if kind else "")
    if event.object_id is None:
        return noun
    name = names.get((kind, event.object_id))
    if name is None:
        return f"{noun} {event.object_id} (no longer there)".strip()
    if kind in {"funding_stream", "milestone", "stream_budget", "project"}:
        name = f"“{name}”"
    if event.action == "budget set":
        return name
    if kind == "app_user":
        return name
    return f"{noun} {name}"


def _details(event: AuditEvent, names: dict) -> str:
    action, before, after = event.action, event.before or {}, event.after or {}
    if action.endswith(" created") or action in {"payment requested"}:
        return words.listed(
            words.facts(
                after,
                names,
                skip=QUIET
                | {"identifier", "name", "organisation_id", "description", "source_citation"},
            )
        )
    if action == "variation requested":
        kind = after.get("kind", "")
        proposed = words.value("proposed", after.get("proposed") or {}, names)
        reason = after.get("reason")
        return f"{kind}: {proposed}" + (f", because {words.quoted(reason)}" if reason else "")
    if action.startswith("variation "):
        phrases = words.changes(before, after, names, skip=QUIET)
        note = after.get("note")
        text = f"{before.get('kind', '')}: {words.listed(phrases) or 'no change'}"
        return text + (f" (note: {words.quoted(note)})" if note else "")
    if action == "allocations imported":
        return (
            f"from {words.quoted(after.get('file_name', ''))}: {after.get('rows', 0)} "
            f"{'row' if after.get('rows') == 1 else 'rows'}, {after.get('created', 0)} created, "
            f"{after.get('updated', 0)} updated, {after.get('unchanged', 0)} unchanged"
        )
    if action in {"evidence added", "evidence removed"}:
        values = after if action == "evidence added" else before
        return f"the file {words.quoted(values.get('original_name', ''))}"
    if action == "session ended":
        return f"because {after.get('reason', 'it ended')}"
    if action in {"sign-in failed", "two-factor code refused"}:
        return f"({after.get('reason', 'refused')})" if after.get("reason") else ""
    if action == "stream conditions changed":
        made = after.get("conditions") or {}
        count = len(made.get("text") or [])
        noun = "condition" if count == 1 else "conditions"
        return f"to version {made.get('version')}: {count} {noun}"
    if action == "budget set":
        year = after.get("financial_year")
        phrases = words.changes(before, after, names, skip={"financial_year"})
        if not before:
            phrases = words.facts(after, names, skip={"financial_year"})
        label = f"for {words.value('financial_year', year, names)}" if year else ""
        return f"{label}: {words.listed(phrases)}" if phrases else label
    phrases = words.changes(before, after, names, skip={"reason", "reasons", "note"})
    extra = [
        f"{key} {words.quoted(after[key])}"
        for key in ("reason", "reasons", "note")
        if after.get(key)
    ]
    if action.startswith("allocation ") and "status" in after:
        phrases = []  # the verb says the new status; the approver is the one acting
    if action.startswith("payment ") or action.startswith("return "):
        # The verb says the new status, and the one acting is the approver (or the payer).
        phrases = [
            p
            for p in phrases
            if not p.startswith(("the status ", "the approving officer ", "the paid by "))
        ]
    return words.listed(phrases + extra)


def sentence(event: AuditEvent, names: dict) -> str:
    """One event as a sentence in words: who did what to which thing, and what changed."""
    who = _who(event, names)
    action = event.action
    if action in ABOUT_ONESELF:
        return f"{who} {VERBS.get(action, action)}."
    if action == "sign-in failed":
        target = _object(event, names)
        details = _details(event, names)
        return f"{who} failed to sign in as {target}{' ' + details if details else ''}."
    if action == "two-factor code refused":
        target, details = _object(event, names), _details(event, names)
        return f"A second-factor code for {target} was refused {details}."
    if action == "session ended":
        return f"The session of {_object(event, names)} ended {_details(event, names)}."
    verb = VERBS.get(action, action)
    target = _object(event, names)
    details = _details(event, names)
    text = f"{who} {verb} {target}".rstrip()
    if details:
        joiner = " " if details.startswith(("for ", "from ", "(")) else ": "
        text += joiner + details
    return text + "."


def _entry(event: AuditEvent, names: dict) -> Entry:
    return Entry(event, event.occurred_at, _who(event, names), sentence(event, names))


CSV_HEADER = ["Event", "When (UTC)", "Who", "What happened", "Action", "Record", "Record number"]


def csv_rows(filters):
    """The header, then a row per event the filters keep, in words: the names of everything
    they mention are looked up first in one query, then the events stream."""
    yield CSV_HEADER
    names = audit_data.names_of(set(), filters)
    for event in audit_data.audit_rows(filters):
        entry = _entry(event, names)
        yield [
            event.id,
            f"{event.occurred_at:%Y-%m-%d %H:%M:%S}",
            entry.who,
            entry.sentence,
            event.action,
            event.object_type.replace("_", " "),
            event.object_id if event.object_id is not None else "",
        ]
