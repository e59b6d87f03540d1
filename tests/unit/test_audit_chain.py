"""The audit chain's hashing, with no database: deterministic, blind to how a value was spelt
before it was stored, lazy, and a verifier that names the first event altered or removed."""

import itertools
import math
from datetime import UTC, datetime, timedelta, timezone

import pytest

from tracker.domain.audit_chain import GENESIS, canonical, chain, event_hash, verify

WHEN = datetime(2020, 5, 21, 10, 30, 0, 123456)


def event(n: int, **changes) -> dict:
    return {
        "occurred_at": WHEN + timedelta(minutes=n),
        "actor_id": 7,
        "action": "allocation created",
        "object_type": "allocation",
        "object_id": n,
        "before": None,
        "after": {"amount_pence": 1_000_00 * n, "title": f"Award {n}"},
        "remote_address": "10.0.0.1",
        **changes,
    }


def stored(count: int) -> list[dict]:
    """Events as the database gives them back: with ids and their hashes."""
    return [{**row, "id": n + 1} for n, row in enumerate(chain(map(event, range(count)), GENESIS))]


def test_the_hash_is_hex_sha256_and_the_same_every_time():
    first, second = event_hash(event(1), GENESIS), event_hash(event(1), GENESIS)
    assert first == second
    assert len(first) == 64 and int(first, 16) >= 0


def test_every_hashed_value_and_the_previous_hash_change_the_hash():
    original = event_hash(event(1), GENESIS)
    changed = {
        "occurred_at": WHEN + timedelta(microseconds=1),
        "actor_id": 8,
        "action": "allocation withdrawn",
        "object_type": "payment",
        "object_id": 2,
        "before": {"status": "draft"},
        "after": {"amount_pence": 100_001, "title": "Award 1"},
        "remote_address": "10.0.0.2",
    }
    for name, value in changed.items():
        assert event_hash(event(1, **{name: value}), GENESIS) != original, name
    assert event_hash(event(1), "f" * 64) != original


def test_the_hash_is_what_the_database_gives_back_not_how_the_values_were_spelt():
    # Integer keys come back from a JSON column as strings, tuples as lists, and key order is
    # whatever the database keeps: none of it may change the hash.
    written = event(1, after={2021: 5, 2020: (1, 2), "b": {"y": 1, "x": 2}})
    read_back = event(1, after={"b": {"x": 2, "y": 1}, "2020": [1, 2], "2021": 5})
    assert event_hash(written, GENESIS) == event_hash(read_back, GENESIS)


def test_an_aware_datetime_hashes_as_the_naive_utc_the_table_stores():
    aware = (WHEN + timedelta(hours=1)).replace(tzinfo=timezone(timedelta(hours=1)))
    assert event_hash(event(0, occurred_at=aware), GENESIS) == event_hash(event(0), GENESIS)
    assert event_hash(event(0, occurred_at=WHEN.replace(tzinfo=UTC)), GENESIS) == event_hash(
        event(0), GENESIS
    )


def test_the_serialisation_is_sorted_compact_json_with_a_fixed_datetime_format():
    text = canonical(event(0), GENESIS).decode()
    assert text.startswith('{"action":"allocation created","actor_id":7,"after":{')
    assert '"occurred_at":"2020-05-21T10:30:00.123456"' in text
    assert '"previous_hash":"' + GENESIS + '"' in text
    assert ", " not in text and ": " not in text


def test_a_value_json_cannot_store_faithfully_is_refused():
    with pytest.raises(ValueError):
        event_hash(event(0, after={"ratio": math.nan}), GENESIS)
    with pytest.raises(TypeError):
        event_hash(event(0, occurred_at="2020-05-21"), GENESIS)
    with pytest.raises(KeyError):
        event_hash({"occurred_at": WHEN, "action": "x"}, GENESIS)


def test_chain_links_each_event_to_the_one_before_starting_from_the_given_hash():
    rows = list(chain(map(event, range(4)), GENESIS))
    assert rows[0]["previous_hash"] == GENESIS
    for before, after in itertools.pairwise(rows):
        assert after["previous_hash"] == before["event_hash"]
    assert all(row["event_hash"] == event_hash(row, row["previous_hash"]) for row in rows)
    assert len({row["event_hash"] for row in rows}) == 4
    # Continuing a chain from its head gives what chaining the whole would have.
    whole = list(chain(map(event, range(6)), GENESIS))
    rest = list(chain(map(event, range(4, 6)), rows[-1]["event_hash"]))
    assert [r["event_hash"] for r in whole[4:]] == [r["event_hash"] for r in rest]


def test_chain_is_lazy_so_a_bulk_writer_never_holds_the_whole_stream():
    endless = map(event, itertools.count())
    first_three = list(itertools.islice(chain(endless, GENESIS), 3))
    assert len(first_three) == 3


def test_chain_fills_in_the_optional_columns_and_keeps_what_else_a_row_carries():
    [row] = chain([{"occurred_at": WHEN, "action": "x", "object_type": "y", "id": 41}], GENESIS)
    assert row["id"] == 41
    assert row["actor_id"] is None and row["before"] is None and row["remote_address"] is None


def test_an_intact_chain_verifies_and_gives_its_head():
    rows = stored(5)
    verdict = verify(rows)
    assert verdict.intact and verdict.events == 5 and verdict.breaks == 0
    assert verdict.head == rows[-1]["event_hash"]
    assert verify([]).intact and verify([]).head == GENESIS


def test_an_altered_event_is_reported_at_that_event():
    rows = stored(5)
    rows[2]["after"] = {"amount_pence": 1, "title": "Award 2"}
    verdict = verify(rows)
    assert not verdict.intact
    assert (verdict.first_break.event_id, verdict.first_break.kind) == (3, "altered")
    assert verdict.breaks == 1


def test_a_removed_event_is_reported_at_the_one_after_the_gap():
    rows = stored(5)
    del rows[2]
    verdict = verify(rows)
    assert (verdict.first_break.event_id, verdict.first_break.kind) == (4, "removed")
    assert "after event 2" in verdict.first_break.message


def test_removing_the_first_event_is_found_at_the_new_first():
    verdict = verify(stored(5)[1:])
    assert (verdict.first_break.event_id, verdict.first_break.kind) == (2, "removed")


def test_an_event_altered_and_rehashed_breaks_the_link_to_the_next():
    rows = stored(5)
    rows[1]["action"] = "allocation withdrawn"
    rows[1]["event_hash"] = event_hash(rows[1], rows[1]["previous_hash"])
    verdict = verify(rows)
    assert (verdict.first_break.event_id, verdict.first_break.kind) == (3, "removed")


def test_the_first_of_several_problems_is_the_one_reported():
    rows = stored(8)
    rows[5]["action"] = "changed"
    rows[2]["object_id"] = 99
    del rows[6]
    verdict = verify(rows)
    assert verdict.first_break.event_id == 3
    assert verdict.breaks == 3


def test_the_newest_events_removed_are_only_seen_against_a_head_written_down():
    rows = stored(5)
    written_down = rows[3]["event_hash"]
    assert verify(rows[:3]).intact  # what the chain alone cannot see
    assert verify(rows, expect_head=written_down).intact  # newer events are fine
    verdict = verify(rows[:3], expect_head=written_down)
    assert not verdict.intact and verdict.first_break.kind == "removed"
    assert verdict.first_break.event_id == 3
