"""The audit trail as evidence: each event carries the hash of the one before it.

Pure functions, no database: they turn an event's values into its SHA-256, chain a stream of
events, and check a stream read back in id order. `data/audit.py` calls them for every write,
`flask audit verify` for every read, and a bulk writer (the bench data generator, the
allocations import) calls `chain` for rows it inserts in bulk.

What is hashed (`canonical`): every column of the event except its id and its own hash
(`occurred_at`, `actor_id`, `action`, `object_type`, `object_id`, `before`, `after`,
`remote_address`), plus the previous event's hash and a format version, as JSON with sorted
keys and no spaces. Datetimes are naive UTC written `YYYY-MM-DDTHH:MM:SS.ffffff` (an aware
datetime is turned into UTC first), which both databases store to the microsecond. `before`
and `after` are first put through a JSON round trip, exactly as the database gives them back
(integer keys become strings, tuples lists), so that a hash computed before the insert equals
the one recomputed from the stored row. Floats are written by Python's shortest round-trip
repr (money is never a float here: it is integer pence, or a Decimal written as a string);
NaN and infinities are refused.

The id is left out on purpose: a bulk writer can chain rows before the database numbers them.
The order is in the links themselves (each event names its predecessor's hash), and the
writers keep id order equal to chain order (see `data/audit.py`), which `verify` checks.
"""

import hmac
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from hashlib import sha256

GENESIS = "0" * 64
"""The previous hash of the very first event."""

FORMAT_VERSION = 1
HASHED_FIELDS = (
    "occurred_at",
    "actor_id",
    "action",
    "object_type",
    "object_id",
    "before",
    "after",
    "remote_address",
)
_OPTIONAL = dict.fromkeys(("actor_id", "object_id", "before", "after", "remote_address"))
_DATETIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%f"


def stored_datetime(value: datetime) -> datetime:
    """The datetime as the audit table stores it: naive UTC."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def _as_stored_json(value):
    if value is None:
        return None
    return json.loads(json.dumps(value, allow_nan=False))


def canonical(row: Mapping, previous_hash: str) -> bytes:
    """The bytes that are hashed: the event's values (see the module docstring) and the
    previous hash. Raises KeyError when occurred_at, action or object_type is missing."""
    occurred_at = row["occurred_at"]
    if not isinstance(occurred_at, datetime):
        raise TypeError(f"occurred_at must be a datetime, not {type(occurred_at).__name__}")
    values = {
        "v": FORMAT_VERSION,
        "previous_hash": previous_hash,
        "occurred_at": stored_datetime(occurred_at).strftime(_DATETIME_FORMAT),
        "actor_id": row.get("actor_id"),
        "action": row["action"],
        "object_type": row["object_type"],
        "object_id": row.get("object_id"),
        "before": _as_stored_json(row.get("before")),
        "after": _as_stored_json(row.get("after")),
        "remote_address": row.get("remote_address"),
    }
    return json.dumps(
        values, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


# The chain's key (AUDIT_CHAIN_KEY), kept outside the database: the running app's setting. With
# it every hash is an HMAC-SHA256, so someone who can only write to the database cannot append,
# alter or re-hash events that verify: they cannot compute the hashes. `use_key` overrides it
# for a while (`flask audit rekey` checks the trail under the old key).
_FROM_APP = object()
_override = _FROM_APP


def use_key(key):
    """Hash with this key (None: plain SHA-256, as the trail was before it was keyed) until
    `use_key(APP_KEY)` goes back to the app's setting. Gives what was in use before."""
    global _override
    previous, _override = _override, key
    return previous


APP_KEY = _FROM_APP


_app_key = None  # how to read the running app's key: set by the app factory (`read_app_key_with`)


def read_app_key_with(reader) -> None:
    """The app factory gives the function that reads AUDIT_CHAIN_KEY from the running app (the
    domain knows nothing of Flask)."""
    global _app_key
    _app_key = reader


def current_key() -> bytes | None:
    key = _override
    if key is _FROM_APP:
        key = _app_key() if _app_key is not None else None
    if isinstance(key, str):
        key = key.encode()
    return key or None


def event_hash(row: Mapping, previous_hash: str) -> str:
    """The hex HMAC-SHA256 (with the chain's key; plain SHA-256 without one) of one event (a
    dict, or anything with those keys) after previous_hash."""
    data = canonical(row, previous_hash)
    key = current_key()
    if key:
        return hmac.new(key, data, sha256).hexdigest()
    return sha256(data).hexdigest()


def chain(rows: Iterable[Mapping], previous_hash: str) -> Iterator[dict]:
    """Chains rows after `previous_hash`, lazily: a generator, so a bulk writer can chain a
    million events holding only the batch it is inserting.

    The contract for a bulk writer:
    - `previous_hash` is the `event_hash` of the newest stored event, or GENESIS for an empty
      table, read while holding the chain's lock (`data.audit.chain_head(lock=True)`: on
      PostgreSQL a transaction-level advisory lock; on SQLite BEGIN IMMEDIATE already holds the
      write lock) and in the same transaction as the insert. Otherwise two writers fork the
      chain, and the unique index on previous_hash refuses the second.
    - each row needs occurred_at (a datetime), action and object_type; actor_id, object_id,
      before, after and remote_address default to None.
    - each yielded dict is a new dict: the row's hashed fields (occurred_at as stored: naive
      UTC), anything else the row carried (an explicit id, say), plus previous_hash and
      event_hash. Insert them in the order yielded, so that ids rise with the chain
      (`insert(AuditEvent).returning(AuditEvent.id, sort_by_parameter_order=True)` does; or
      give explicit rising ids).
    - the new chain head is the event_hash of the last dict yielded.
    """
    for row in rows:
        values = {**_OPTIONAL, **row}
        values["occurred_at"] = stored_datetime(values["occurred_at"])
        values["previous_hash"] = previous_hash
        values["event_hash"] = previous_hash = event_hash(values, previous_hash)
        yield values


@dataclass(frozen=True)
class Break:
    """The first place the chain does not hold, in words."""

    event_id: int
    kind: str  # "altered" or "removed"
    message: str


@dataclass(frozen=True)
class Verdict:
    events: int
    head: str
    first_break: Break | None
    breaks: int

    @property
    def intact(self) -> bool:
        return self.first_break is None


def verify(rows: Iterable[Mapping], expect_head: str | None = None) -> Verdict:
    """Walks stored events in id order (each a mapping with id, the hashed fields,
    previous_hash and event_hash), holding one at a time. Finds:

    - an event altered: its contents no longer give its stored hash;
    - events removed (or reordered, or an altered event re-hashed): an event's previous_hash is
      not the hash of the event before it (for the first event: not GENESIS);
    - with expect_head (a head hash written down earlier, elsewhere), the newest events
      removed: no event kept has that hash. Events added since it was written down are fine.

    It cannot see the newest events removed when no head was written down elsewhere, nor a
    whole trail rewritten from the start by someone who can also recompute every hash."""
    expected_previous, previous_id = GENESIS, None
    first: Break | None = None
    breaks = events = 0
    head_found = expect_head is None or expect_head == GENESIS
    for row in rows:
        events += 1
        found = None
        if row["previous_hash"] != expected_previous:
            if previous_id is None:
                where = "the first event kept, but it does not follow the start of the trail"
            else:
                where = f"event {previous_id}, but it does not follow it"
            found = Break(
                row["id"],
                "removed",
                f"Event {row['id']} comes after {where}: its previous hash is "
                f"{row['previous_hash'][:12]}…, not {expected_previous[:12]}…. Events were "
                "removed before it, or the event before it was altered and re-hashed.",
            )
        else:
            recomputed = event_hash(row, row["previous_hash"])
            if recomputed != row["event_hash"]:
                found = Break(
                    row["id"],
                    "altered",
                    f"Event {row['id']} ({row['action']}, {row['object_type']} "
                    f"{row['object_id']}) was altered: its contents give the hash "
                    f"{recomputed[:12]}…, not its recorded {row['event_hash'][:12]}….",
                )
        if found is not None:
            breaks += 1
            first = first or found
        expected_previous, previous_id = row["event_hash"], row["id"]
        head_found = head_found or row["event_hash"] == expect_head
    if not head_found:
        breaks += 1
        first = first or Break(
            previous_id or 0,
            "removed",
            f"No event has the head hash written down ({expect_head[:12]}…); the newest event "
            f"kept is {previous_id}. Events from that head on were removed, or the hash written "
            "down is not this trail's.",
        )
    return Verdict(events, expected_previous, first, breaks)
