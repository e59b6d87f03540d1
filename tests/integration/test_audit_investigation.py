"""The audit trail for investigators, and history in words: every entry a sentence with names,
pounds and dates; filters by person, organisation, record, action and dates kept in the URL;
sign-ins left out unless asked for; 50 a page by key; the CSV download honours the filters."""

import csv
import io
import re
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from tests.conftest import ADMIN, LAMBETH_GRANTEE, OFFICER, OFFICER_NAME, text_of
from tests.factories import actor, allocation, organisation
from tests.reading import error_beside, soup_of
from tracker.models import AuditEvent, User
from tracker.services import audit_sentences
from tracker.services.audit import SYSTEM, record

LAMBETH_SWIS = "360G-HHT-DEMO-SWIS-LBH"


@pytest.fixture
def admin(signed_in):
    return signed_in(ADMIN)


def event_ids(response) -> list[int]:
    listing = soup_of(response).find(id="audit-events")
    items = listing.find_all("li", recursive=False) if listing is not None else []
    return [int(re.search(r"event (\d+)", item.get_text(" ")).group(1)) for item in items]


def sentences(response) -> list[str]:
    listing = soup_of(response).find(id="audit-events")
    if listing is None:
        return []
    return [
        " ".join(item.find(class_="tracker-audit__sentence").get_text(" ").split())
        for item in listing.find_all("li", recursive=False)
    ]


def next_link(response) -> str | None:
    link = soup_of(response).find("a", rel="next")
    return link["href"] if link else None


def event(action, before=None, after=None, *, object_type="allocation", object_id=1, actor_id=7):
    return AuditEvent(
        action=action,
        before=before,
        after=after,
        object_type=object_type,
        object_id=object_id,
        actor_id=actor_id,
        occurred_at=datetime(2021, 3, 1, 10, 30),
    )


NAMES = {
    ("app_user", 7): "Olu Officer",
    ("app_user", 8): "Sam Second-Officer",
    ("allocation", 1): "360G-X to London Borough of Lambeth",
    ("funding_stream", 3): "Trusted Relationship Fund",
}


# --- sentences (no database) ---------------------------------------------------------------


def test_a_change_to_a_profile_reads_year_by_year_in_pounds():
    changed = event(
        "allocation changed",
        before={"profile": {"2020": 6_000_000, "2021": 4_000_000}, "amount_pence": 10_000_000},
        after={"profile": {"2020": 7_000_000, "2021": 4_000_000}, "amount_pence": 11_000_000},
    )
    assert audit_sentences.sentence(changed, NAMES) == (
        "Olu Officer changed the allocation 360G-X to London Borough of Lambeth: "
        "the profile for 2020-21 from £60,000 to £70,000 and the amount from £100,000 to £110,000."
    )


def test_ids_in_the_values_read_as_names_and_dates_as_govuk_dates():
    created = event(
        "allocation created",
        after={"stream_id": 3, "amount_pence": 45_000_050, "planned_end": "2022-03-31"},
    )
    assert audit_sentences.sentence(created, NAMES) == (
        "Olu Officer created the allocation 360G-X to London Borough of Lambeth: the stream "
        "Trusted Relationship Fund, the amount £450,000.50 and the planned end 31 March 2022."
    )


def test_a_variation_decision_says_who_decided_and_what_moved():
    decided = event(
        "variation approved",
        before={"kind": "extend end date", "planned_end": "2021-03-31"},
        after={"kind": "extend end date", "planned_end": "2021-09-30", "note": "Agreed"},
        actor_id=8,
    )
    assert audit_sentences.sentence(decided, NAMES) == (
        "Sam Second-Officer approved a variation of the allocation 360G-X to London Borough of "
        "Lambeth: extend end date: the planned end from 31 March 2021 to 30 September 2021 "
        "(note: “Agreed”)."
    )


def test_a_thing_since_removed_and_the_service_acting_are_said_plainly():
    gone = event("payment approved", object_type="payment", object_id=99, actor_id=None)
    gone.remote_address = "system"
    assert audit_sentences.sentence(gone, NAMES) == (
        "The service approved the payment of 99 (no longer there)."
    )


# --- the trail's page ----------------------------------------------------------------------


def test_sign_ins_are_left_out_unless_asked_for(admin, transaction):
    page = admin.get("/admin/audit")
    assert page.status_code == 200
    shown = sentences(page)
    assert shown and not any(" signed in." in line for line in shown)
    assert "leaving out sign-ins and sign-outs" in text_of(page)

    only = admin.get("/admin/audit?sign_ins=only")
    assert only.status_code == 200
    assert any(line.endswith(" signed in.") for line in sentences(only))
    assert all(
        line.endswith("signed in.") or "sign in" in line or "session" in line
        for line in sentences(only)
    )


def test_every_entry_is_a_sentence_with_the_name_of_who_did_it(admin, transaction):
    page = admin.get("/admin/audit")
    for line in sentences(page):
        assert line.endswith("."), line
        assert "_id" not in line and "_pence" not in line and "{" not in line, line


def test_filtering_by_person_action_and_dates_is_kept_in_the_url(signed_in, transaction):
    officer = actor(transaction, OFFICER)
    lambeth = allocation(transaction, LAMBETH_SWIS)
    record(officer, "allocation changed", lambeth, before={"title": "Old"}, after={"title": "New"})
    transaction.commit()
    admin = signed_in(ADMIN)
    today = date.today()
    query = (
        f"/admin/audit?person={OFFICER}&action=allocation+changed"
        f"&since={today:%d/%m/%Y}&until={today:%d/%m/%Y}"
    )
    page = admin.get(query)
    assert page.status_code == 200
    assert sentences(page) == [
        f"{OFFICER_NAME} changed the allocation {LAMBETH_SWIS} to London Borough of Lambeth: "
        "the title from “Old” to “New”."
    ]
    assert "1 event" in text_of(page)
    soup = soup_of(page)
    assert soup.find(id="person")["value"] == OFFICER
    # The download link carries the same filters.
    download = soup.find("a", string=lambda s: s and "Download these events" in s)["href"]
    assert f"person={OFFICER}" in download and "action=allocation+changed" in download

    yesterday = admin.get(f"/admin/audit?person={OFFICER}&until=1/1/2019")
    assert sentences(yesterday) == []
    assert "No events match these filters" in text_of(yesterday)


def test_filtering_by_organisation_keeps_its_records_and_no_one_elses(admin, transaction):
    lambeth = organisation(transaction, "GB-LAE-LBH")
    page = admin.get(f"/admin/audit?organisation={lambeth.id}")
    shown = sentences(page)
    assert shown
    assert all("Lambeth" in line or "lambeth" in line for line in shown), shown
    assert not any("Southampton" in line for line in shown)


def test_filtering_by_record_shows_that_records_events(admin, transaction):
    lambeth = allocation(transaction, LAMBETH_SWIS)
    page = admin.get(f"/admin/audit?object=allocation&object_id={lambeth.id}")
    shown = sentences(page)
    assert shown and all(LAMBETH_SWIS in line for line in shown)


def test_fifty_a_page_and_the_next_page_follows_by_key_with_the_filters(admin, transaction):
    system_events = transaction.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.actor_id.is_(None))
    )
    assert system_events > 50, "the demo data should fill more than a page"
    every = admin.get("/admin/audit")
    assert len(sentences(every)) == 50
    following = next_link(every)
    assert following and "after=" in following and "sign_ins" not in following
    second = admin.get(following)
    assert second.status_code == 200
    # Newest first: the next page starts just past the first page's last event (two events can
    # read alike, so they are told apart by their numbers).
    first_ids, second_ids = event_ids(every), event_ids(second)
    assert len(first_ids) == 50 and second_ids
    assert max(second_ids) < min(first_ids)
    assert "Page 2 of" in text_of(second)


@pytest.mark.parametrize(
    "query, field, message",
    [
        ("person=nobody@example.org", "person", "No user has the email address nobody@example.org"),
        ("since=31/2/2021", "since", "From must be a real date, like 31/3/2021"),
        ("since=yesterday", "since", "Enter the date like 1/4/2020"),
        ("since=2/4/2021&until=1/4/2021", "until", "The date to must be the same as or after"),
        ("object_id=twelve", "object_id", "Enter the record number in figures, like 12"),
    ],
)
def test_a_wrong_filter_is_named_beside_its_field_and_nothing_is_listed(
    admin, transaction, query, field, message
):
    page = admin.get(f"/admin/audit?{query}")
    assert page.status_code == 200
    assert message in error_beside(page, field)
    assert soup_of(page).title.get_text().startswith("Error: ")
    assert sentences(page) == []


def test_the_csv_download_honours_the_filters_and_is_in_words(admin, transaction):
    response = admin.get("/admin/audit.csv?action=organisation+created")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == audit_sentences.CSV_HEADER
    organisations = transaction.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "organisation created")
    )
    assert len(rows) - 1 == organisations
    assert all(row[4] == "organisation created" for row in rows[1:])
    assert all(row[3].startswith("The service added the organisation ") for row in rows[1:])


def test_the_csv_download_leaves_out_sign_ins_by_default(signed_in, transaction):
    admin = signed_in(ADMIN)
    rows = list(csv.reader(io.StringIO(admin.get("/admin/audit.csv").get_data(as_text=True))))
    assert not any(row[4] == "signed in" for row in rows[1:])
    with_them = admin.get("/admin/audit.csv?sign_ins=only").get_data(as_text=True)
    assert "signed in" in with_them


def test_nobody_but_an_administrator_reads_the_trail(signed_in, transaction):
    assert signed_in(OFFICER).get("/admin/audit.csv").status_code == 403
    assert signed_in(LAMBETH_GRANTEE).get("/admin/audit").status_code == 403


def test_a_change_made_by_the_service_itself_is_said_to_be_the_services(transaction):
    lambeth = allocation(transaction, LAMBETH_SWIS)
    made = record(
        SYSTEM, "allocation changed", lambeth, before={"title": "A"}, after={"title": "B"}
    )
    [entry] = audit_sentences.describe([made])
    assert entry.who == "The service"
    assert entry.sentence.startswith("The service changed the allocation 360G-HHT-DEMO-SWIS-LBH")


def test_decisions_on_a_return_say_who_signed_off_and_who_approved(signed_in, transaction):
    from tests.integration.test_returns import returns_of, submit_and_sign_off
    from tracker.models import Rag
    from tracker.services import returns as return_service

    first = returns_of(transaction, LAMBETH_SWIS)[0]
    submit_and_sign_off(transaction, first)
    return_service.review(
        actor(transaction, OFFICER), first, approve=True, reasons="", reviewer_rag=Rag.GREEN
    )
    certifier = transaction.get(User, first.signed_off_by_id)
    transaction.commit()

    page = signed_in(OFFICER).get(f"/returns/{first.id}")
    decisions = " ".join(soup_of(page).find(id="review-history").get_text(" ").split())
    assert f"{OFFICER_NAME} approved this return, rating it green." in decisions
    assert f"{certifier.name} signed off this return." in decisions
    assert f"{certifier.name} signed off the return for" in text_of(page)


def test_setting_up_delivery_reads_as_sentences(transaction):
    from tracker.services import audit_sentences

    actions = ["project added", "project targets set", "milestone added"]
    events = transaction.scalars(
        select(AuditEvent).where(AuditEvent.action.in_(actions)).order_by(AuditEvent.id)
    ).all()
    written = {e.event.action: e.sentence for e in audit_sentences.describe(events)}
    assert set(written) == set(actions)
    assert "added the project “" in written["project added"]
    assert "set the targets of the project “" in written["project targets set"]
    assert "added the milestone “" in written["milestone added"]
    assert not any("no longer there" in sentence for sentence in written.values())
