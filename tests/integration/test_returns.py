"""Milestone returns: set up when an allocation becomes active, drafted section by section by the
grantee, signed off by their certifier, reviewed by an officer (approved, or sent back with
reasons the grantee answers), and never reachable by another organisation."""

import io
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import (
    LAMBETH_GRANTEE,
    OFFICER,
    OFFICER_2,
    SOUTHAMPTON_GRANTEE,
    csrf_token_from,
    text_of,
)
from tests.factories import accept_offer, actor, allocation, user
from tests.reading import count, error_beside, soup_of, value_of
from tracker.domain.working_days import working_days_after
from tracker.models import (
    Allocation,
    AllocationStatus,
    AuditEvent,
    EvidenceFile,
    FundingStream,
    Milestone,
    MilestoneReturn,
    OutboxMessage,
    Payment,
    Project,
    Rag,
    ReportingFrequency,
    ReturnStatus,
    ReviewDecision,
    SpendCategory,
    Variation,
    VariationKind,
)
from tracker.services import allocations as allocation_service
from tracker.services import evidence as evidence_service
from tracker.services import payments as payment_service
from tracker.services import returns as return_service
from tracker.services import schedule
from tracker.services import variations as variation_service
from tracker.services.errors import RuleBroken

LAMBETH_CERTIFIER = "certifier@london-borough-of-lambeth.demo.org.uk"
SOUTHAMPTON_CERTIFIER = "certifier@southampton-city-council.demo.org.uk"
LAMBETH_SWIS = "360G-HHT-DEMO-SWIS-LBH"
SOUTHAMPTON_SWIS = "360G-HHT-DEMO-SWIS-STH"
STOCKPORT_SWIS = "360G-HHT-DEMO-SWIS-SKP"
TRF_BIRMINGHAM = "360G-HHT-DEMO-TRF-BIR"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"

# The seven quarters the Social workers in schools demo grants (1 September 2020 to 31 March
# 2022) report on, and the day each return is due: 20 working days after the quarter ends, in
# England and Wales (New Year's Day 2021, Easter 2021, 3 January 2022 and Easter 2022 skipped).
SWIS_QUARTERS_DUE_AFTER_20_WORKING_DAYS = [
    (date(2020, 7, 1), date(2020, 9, 30), date(2020, 10, 28)),
    (date(2020, 10, 1), date(2020, 12, 31), date(2021, 1, 29)),
    (date(2021, 1, 1), date(2021, 3, 31), date(2021, 4, 30)),
    (date(2021, 4, 1), date(2021, 6, 30), date(2021, 7, 28)),
    (date(2021, 7, 1), date(2021, 9, 30), date(2021, 10, 28)),
    (date(2021, 10, 1), date(2021, 12, 31), date(2022, 1, 31)),
    (date(2022, 1, 1), date(2022, 3, 31), date(2022, 5, 3)),
]


# --- reading pages -----------------------------------------------------------------------------


def words(tag) -> str:
    return " ".join(tag.get_text(" ").split()) if tag is not None else ""


def error_at_top_of_form(response) -> str:
    return words(soup_of(response).find(id="form-error"))


def version_on(response) -> str:
    field = soup_of(response).find("input", attrs={"name": "version"})
    assert field is not None, "no version on the form"
    return field["value"]


def task_statuses(response) -> dict[str, str]:
    """The task list on a return's page: each section's name and its status."""
    return {
        words(item.find(class_="govuk-task-list__name-and-hint")): words(
            item.find(class_="govuk-task-list__status")
        )
        for item in soup_of(response).find_all("li", class_="govuk-task-list__item")
    }


def status_on(response) -> str:
    return words(soup_of(response).find(id="return-status"))


def banner(response) -> str:
    return " ".join(
        words(tag) for tag in soup_of(response).find_all(class_="govuk-notification-banner")
    )


def fill(visitor, url: str, data: dict, *, version: str | None = None):
    """As a person does: open the form, then send it with the page's CSRF token and, where the
    form has one, the version of the return it was drawn from."""
    page = visitor.get(url)
    assert page.status_code == 200, f"{url} answered {page.status_code}"
    payload = {"csrf_token": csrf_token_from(page)}
    if soup_of(page).find("input", attrs={"name": "version"}) is not None:
        payload["version"] = version_on(page) if version is None else version
    return visitor.client.post(url, data={**payload, **data})


def follow(visitor, response):
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return visitor.get(response.headers["Location"])


# --- reading the database ----------------------------------------------------------------------


def returns_of(session, identifier: str) -> list[MilestoneReturn]:
    session.expire_all()
    return list(
        session.scalars(
            select(MilestoneReturn)
            .join(Project, MilestoneReturn.project_id == Project.id)
            .join(Allocation, Project.allocation_id == Allocation.id)
            .where(Allocation.identifier == identifier)
            .order_by(MilestoneReturn.period_start, MilestoneReturn.id)
        )
    )


def reload(session, item):
    session.expire_all()
    return session.get(type(item), item.id)


def actions_on(session, milestone_return) -> list[str]:
    return list(
        session.scalars(
            select(AuditEvent.action)
            .where(
                AuditEvent.object_type == "milestone_return",
                AuditEvent.object_id == milestone_return.id,
            )
            .order_by(AuditEvent.id)
        )
    )


def last_event(session, milestone_return, action: str) -> AuditEvent:
    return session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.object_type == "milestone_return",
            AuditEvent.object_id == milestone_return.id,
            AuditEvent.action == action,
        )
        .order_by(AuditEvent.id.desc())
    ).first()


def newest_outbox_id(session) -> int:
    return session.scalar(select(func.coalesce(func.max(OutboxMessage.id), 0)))


def mail_since(session, after_id: int) -> set[tuple[str, str]]:
    """(to, kind) of each email queued after the given outbox id."""
    return {
        (message.to_address, message.kind)
        for message in session.scalars(select(OutboxMessage).where(OutboxMessage.id > after_id))
    }


def spend_of(milestone_return) -> dict[SpendCategory, int]:
    return {line.category: line.amount_pence for line in milestone_return.spend}


# --- setting up returns through the services ---------------------------------------------------


def complete_every_section(session, milestone_return, email: str, *, staff_pence=1_000_000):
    who = actor(session, email)
    stream = milestone_return.project.allocation.stream
    return_service.save_spend(who, milestone_return, {SpendCategory.STAFF: staff_pence})
    return_service.save_forecast(who, milestone_return, {})
    return_service.save_outputs(who, milestone_return, {i.id: 5 for i in stream.indicators})
    return_service.save_milestones(who, milestone_return, {})
    return_service.save_narrative(
        who, milestone_return, narrative="Six schools have a social worker now.", risks=""
    )
    return_service.save_rag(who, milestone_return, Rag.GREEN)
    return_service.mark_evidence_done(who, milestone_return)


def submit_and_sign_off(session, milestone_return, *, staff_pence=1_000_000):
    """Drafted by Lambeth's grantee, signed off by Lambeth's certifier: waiting for review."""
    complete_every_section(session, milestone_return, LAMBETH_GRANTEE, staff_pence=staff_pence)
    return_service.submit(
        actor(session, LAMBETH_GRANTEE), milestone_return, declared_by_name="Grace Grantee"
    )
    return_service.sign_off(actor(session, LAMBETH_CERTIFIER), milestone_return, approve=True)
    session.commit()
    return milestone_return


def fill_every_section_in_the_browser(visitor, session, milestone_return) -> None:
    """Every section of the task list, through the pages, as the grantee does it."""
    base = f"/returns/{milestone_return.id}"
    stream = milestone_return.project.allocation.stream
    answers = {
        "spend": {"staff": "1000", "delivery": "0", "overheads": "0", "capital": "0"},
        "outputs": {f"indicator_{i.id}": "3" for i in stream.indicators},
        "narrative": {"narrative": "Three schools have a social worker now.", "risks": ""},
        "rag": {"rag": "green"},
    }
    forecast_page = visitor.get(f"{base}/forecast")
    answers["forecast"] = {
        tag["name"]: "100"
        for tag in soup_of(forecast_page).find_all("input")
        if tag.get("name", "").startswith("period_")
    }
    answers["milestones"] = {}
    for milestone in session.scalars(
        select(Milestone).where(
            Milestone.project_id == milestone_return.project_id,
            Milestone.due_on.between(milestone_return.period_start, milestone_return.period_end),
        )
    ):
        answers["milestones"][f"completed_{milestone.id}"] = "yes"
    for section, data in answers.items():
        assert fill(visitor, f"{base}/{section}", data).status_code == 302, section
    evidence = visitor.get(f"{base}/evidence")
    done = visitor.client.post(
        f"{base}/evidence/done",
        data={
            "csrf_token": csrf_token_from(evidence),
            "done-version": soup_of(evidence).find("input", attrs={"name": "done-version"})[
                "value"
            ],
        },
    )
    assert done.status_code == 302


# --- the schedule: returns are set up when an allocation becomes active ---------------------


def test_activating_an_allocation_sets_up_one_return_per_project_per_quarter_to_its_end(
    app, signed_in, transaction
):
    stockport = allocation(transaction, STOCKPORT_SWIS)
    assert stockport.status == AllocationStatus.OFFERED
    assert returns_of(transaction, STOCKPORT_SWIS) == []
    assert app.config["RETURN_DUE_WORKING_DAYS"] == 20
    transaction.add(Project(allocation_id=stockport.id, title="Training for designated leads"))
    transaction.commit()
    projects = list(
        transaction.scalars(select(Project.id).where(Project.allocation_id == stockport.id))
    )
    assert len(projects) == 2
    officer = signed_in(OFFICER)
    accept_offer(stockport)
    transaction.commit()
    assert returns_of(transaction, STOCKPORT_SWIS) == []
    activated = fill(officer, f"/allocations/{stockport.id}/status", {"action": "activate"})
    assert activated.status_code == 302, error_beside(activated, "action")

    made = returns_of(transaction, STOCKPORT_SWIS)
    assert len(made) == 14
    for project_id in projects:
        assert [
            (r.period_start, r.period_end, r.due_on) for r in made if r.project_id == project_id
        ] == SWIS_QUARTERS_DUE_AFTER_20_WORKING_DAYS
    assert {r.status for r in made} == {ReturnStatus.NOT_STARTED}
    assert all(r.completed_sections == [] for r in made)


def test_returns_fall_due_the_configured_number_of_working_days_after_each_quarter(
    app, signed_in, transaction, monkeypatch
):
    monkeypatch.setitem(app.config, "RETURN_DUE_WORKING_DAYS", 5)
    stockport = allocation(transaction, STOCKPORT_SWIS)
    officer = signed_in(OFFICER)
    accept_offer(stockport)
    transaction.commit()
    assert (
        fill(officer, f"/allocations/{stockport.id}/status", {"action": "activate"}).status_code
        == 302
    )
    assert [r.due_on for r in returns_of(transaction, STOCKPORT_SWIS)] == [
        date(2020, 10, 7),
        date(2021, 1, 8),  # 1 January 2021 a bank holiday
        date(2021, 4, 9),  # Good Friday and Easter Monday
        date(2021, 7, 7),
        date(2021, 10, 7),
        date(2022, 1, 10),  # 3 January 2022 in place of New Year's Day
        date(2022, 4, 7),
    ]


def test_a_monthly_stream_gets_a_return_per_month_once_offered_accepted_and_activated(
    signed_in, transaction
):
    """The demo charity's draft allocation (1 July 2020 to 31 March 2021), on a stream that
    reports monthly here. £150,000 needs a second officer to offer it."""
    network = allocation(transaction, "360G-HHT-DEMO-DA-NETWORK")
    network.stream.reporting_frequency = ReportingFrequency.MONTHLY
    transaction.commit()
    offer = fill(signed_in(OFFICER_2), f"/allocations/{network.id}/status", {"action": "offer"})
    assert offer.status_code == 302, error_beside(offer, "action")
    officer = signed_in(OFFICER)
    accept_offer(network)
    transaction.commit()
    assert returns_of(transaction, network.identifier) == []
    activate = fill(officer, f"/allocations/{network.id}/status", {"action": "activate"})
    assert activate.status_code == 302

    made = returns_of(transaction, network.identifier)
    assert [(r.period_start, r.period_end) for r in made] == [
        (date(2020, 7, 1), date(2020, 7, 31)),
        (date(2020, 8, 1), date(2020, 8, 31)),
        (date(2020, 9, 1), date(2020, 9, 30)),
        (date(2020, 10, 1), date(2020, 10, 31)),
        (date(2020, 11, 1), date(2020, 11, 30)),
        (date(2020, 12, 1), date(2020, 12, 31)),
        (date(2021, 1, 1), date(2021, 1, 31)),
        (date(2021, 2, 1), date(2021, 2, 28)),
        (date(2021, 3, 1), date(2021, 3, 31)),
    ]
    assert [r.due_on for r in made] == [working_days_after(r.period_end, 20) for r in made]
    # 30 November 2020 + 20 working days skips Christmas Day and the Boxing Day substitute
    assert made[4].due_on == date(2020, 12, 30)


def test_activating_an_allocation_again_cannot_double_its_returns(app, signed_in, transaction):
    stockport = allocation(transaction, STOCKPORT_SWIS)
    officer = signed_in(OFFICER)
    accept_offer(stockport)
    transaction.commit()
    assert (
        fill(officer, f"/allocations/{stockport.id}/status", {"action": "activate"}).status_code
        == 302
    )
    assert len(returns_of(transaction, STOCKPORT_SWIS)) == 7

    again = fill(officer, f"/allocations/{stockport.id}/status", {"action": "activate"})
    assert again.status_code == 200
    assert error_beside(again, "action")
    assert len(returns_of(transaction, STOCKPORT_SWIS)) == 7

    stockport = reload(transaction, stockport)
    with pytest.raises(RuleBroken):
        allocation_service.change_status(
            actor(transaction, OFFICER_2),
            stockport,
            "activate",
            second_approval_threshold_pence=100_000_00,
        )
    assert schedule.create_returns_for(stockport, 20) == 0
    assert len(returns_of(transaction, STOCKPORT_SWIS)) == 7


def test_the_demo_grants_have_a_return_per_quarter_from_when_they_became_active(transaction):
    lambeth = returns_of(transaction, LAMBETH_SWIS)
    assert [(r.period_start, r.period_end, r.due_on) for r in lambeth] == (
        SWIS_QUARTERS_DUE_AFTER_20_WORKING_DAYS
    )
    birmingham = returns_of(transaction, TRF_BIRMINGHAM)
    assert [(r.period_start, r.period_end) for r in birmingham] == [
        (date(2020, 7, 1), date(2020, 9, 30)),
        (date(2020, 10, 1), date(2020, 12, 31)),
        (date(2021, 1, 1), date(2021, 3, 31)),
    ]


# --- the grantee's overview --------------------------------------------------------------------


def returns_table(response) -> dict[str, dict[str, str]]:
    """The returns table on the overview: each row by its period, with project, due and status."""
    table = soup_of(response).find(id="returns")
    rows = {}
    for row in table.tbody.find_all("tr"):
        cells = row.find_all("td")
        if len(cells) < 4:
            continue
        rows[words(cells[0])] = {
            "href": cells[0].a["href"],
            "project": words(cells[1]),
            "due": words(cells[2]),
            "status": words(cells[3]),
        }
    return rows


def test_the_grantees_overview_lists_their_returns_in_every_state_and_no_one_elses(
    signed_in, transaction
):
    returns = returns_of(transaction, LAMBETH_SWIS)
    later = date.today() + timedelta(days=30)
    states = [
        (ReturnStatus.APPROVED, None),
        (ReturnStatus.CHANGES_REQUESTED, later),
        (ReturnStatus.SUBMITTED, None),
        (ReturnStatus.AWAITING_SIGN_OFF, later),
        (ReturnStatus.DRAFT, later),
        (ReturnStatus.NOT_STARTED, later),
        (ReturnStatus.NOT_STARTED, None),  # its due date long past: overdue
    ]
    for milestone_return, (status, due_on) in zip(returns, states, strict=True):
        milestone_return.status = status
        if due_on is not None:
            milestone_return.due_on = due_on
    transaction.commit()

    page = signed_in(LAMBETH_GRANTEE).get("/organisation")
    assert page.status_code == 200
    table = returns_table(page)
    by_period = {f"{r.period_start:%-d %B %Y} to {r.period_end:%-d %B %Y}": r for r in returns}
    assert set(table) == set(by_period)
    assert [table[period]["status"] for period in by_period] == [
        "Approved",
        "Sent back",
        "Submitted",
        "Awaiting sign-off",
        "Draft",
        "Not started",
        "Not started Overdue",  # the status stays visible beside the overdue flag
    ]
    assert table["1 October 2020 to 31 December 2020"]["due"] == f"{later:%-d %B %Y}"
    assert table["1 January 2022 to 31 March 2022"]["due"] == "3 May 2022"
    assert {row["href"] for row in table.values()} == {f"/returns/{r.id}" for r in returns}
    assert {row["project"] for row in table.values()} == {
        "Social workers in Lambeth schools (illustrative)"
    }
    text = text_of(page)
    assert "Southampton" not in text
    assert "Trusted relationships" not in text


def test_another_grantees_overview_shows_none_of_lambeths_returns(signed_in, transaction):
    lambeth_ids = {f"/returns/{r.id}" for r in returns_of(transaction, LAMBETH_SWIS)}
    page = signed_in(SOUTHAMPTON_GRANTEE).get("/organisation")
    table = returns_table(page)
    southampton_ids = {f"/returns/{r.id}" for r in returns_of(transaction, SOUTHAMPTON_SWIS)}
    assert {row["href"] for row in table.values()} == southampton_ids
    assert not lambeth_ids & southampton_ids
    assert "Lambeth" not in text_of(page)


# --- the task list: spend ----------------------------------------------------------------------


def test_saving_spend_stores_it_and_shows_the_section_completed(signed_in, transaction):
    milestone_return = returns_of(transaction, LAMBETH_SWIS)[0]
    grantee = signed_in(LAMBETH_GRANTEE)
    assert (
        task_statuses(grantee.get(f"/returns/{milestone_return.id}"))["Spend in the period"]
        == "Incomplete"
    )

    response = fill(
        grantee,
        f"/returns/{milestone_return.id}/spend",
        {"staff": "£12,500.50", "delivery": "300", "overheads": "0", "capital": "0.5"},
    )
    page = follow(grantee, response)
    assert "Spend saved" in banner(page)
    assert task_statuses(page)["Spend in the period"] == "Completed"
    assert status_on(page) == "Draft"

    stored = reload(transaction, milestone_return)
    assert spend_of(stored) == {
        SpendCategory.STAFF: 1_250_050,
        SpendCategory.DELIVERY: 30_000,
        SpendCategory.OVERHEADS: 0,
        SpendCategory.CAPITAL: 50,
    }
    assert stored.status == ReturnStatus.DRAFT
    assert stored.drafted_by_id == user(transaction, LAMBETH_GRANTEE).id
    assert "spend" in stored.completed_sections
    assert actions_on(transaction, stored) == ["return spend saved"]
    again = grantee.get(f"/returns/{milestone_return.id}/spend")
    assert value_of(again, "staff") == "12500.50"
    assert value_of(again, "capital") == "0.50"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-5", "must be £0 or more"),
        ("five pounds", "in pounds, like 1250.50"),
        ("10.123", "must not have more than 2 decimal places"),
        ("", "Enter the"),
    ],
    ids=["negative", "text", "three-decimal-places", "empty"],
)
@pytest.mark.parametrize("field", ["staff", "capital"])
def test_spend_that_is_not_an_amount_of_pounds_is_refused_beside_its_field(
    signed_in, transaction, field, typed, message
):
    milestone_return = returns_of(transaction, LAMBETH_SWIS)[0]
    version = milestone_return.version
    grantee = signed_in(LAMBETH_GRANTEE)
    answers = {"staff": "100", "delivery": "250.75", "overheads": "12", "capital": "0"}
    response = fill(grantee, f"/returns/{milestone_return.id}/spend", {**answers, field: typed})
    assert response.status_code == 200
    assert message in error_beside(response, field)
    assert soup_of(response).find(class_="govuk-error-summary") is not None
    for other in {"delivery", "overheads"}:
        assert value_of(response, other) == answers[other]
    assert value_of(response, field) == typed

    stored = reload(transaction, milestone_return)
    assert stored.spend == []
    assert stored.status == ReturnStatus.NOT_STARTED
    assert stored.version == version
    assert stored.completed_sections == []
    assert actions_on(transaction, stored) == []


def test_spend_that_takes_the_allocation_past_its_amount_needs_an_explanation(
    signed_in, transaction
):
    """£400,000 reported already on Lambeth's £450,000 allocation: £50,000.01 more is over."""
    first, second = returns_of(transaction, LAMBETH_SWIS)[:2]
    submit_and_sign_off(transaction, first, staff_pence=400_000_00)
    grantee = signed_in(LAMBETH_GRANTEE)
    url = f"/returns/{second.id}/spend"
    over = {"staff": "50000.01", "delivery": "0", "overheads": "0", "capital": "0"}

    refused = fill(grantee, url, over)
    assert refused.status_code == 200
    assert error_beside(refused, "overspend_explanation") == (
        "Error: Explain why spend so far (£450,000.01) is more than the allocation (£450,000.00)"
    )
    assert value_of(refused, "staff") == "50000.01"
    assert reload(transaction, second).spend == []

    explained = fill(
        grantee, url, {**over, "overspend_explanation": "Two extra schools joined in March."}
    )
    assert explained.status_code == 302
    stored = reload(transaction, second)
    assert spend_of(stored)[SpendCategory.STAFF] == 50_000_01
    assert stored.overspend_explanation == "Two extra schools joined in March."
    assert "Why spend is over the allocation" in text_of(
        grantee.get(f"/returns/{second.id}/check-answers")
    )


def test_spend_up_to_the_allocation_exactly_needs_no_explanation(signed_in, transaction):
    first, second = returns_of(transaction, LAMBETH_SWIS)[:2]
    submit_and_sign_off(transaction, first, staff_pence=400_000_00)
    response = fill(
        signed_in(LAMBETH_GRANTEE),
        f"/returns/{second.id}/spend",
        {"staff": "50000", "delivery": "0", "overheads": "0", "capital": "0"},
    )
    assert response.status_code == 302
    assert spend_of(reload(transaction, second))[SpendCategory.STAFF] == 50_000_00


def test_spend_in_a_return_not_yet_submitted_does_not_count_towards_the_allocation(
    signed_in, transaction
):
    first, second = returns_of(transaction, LAMBETH_SWIS)[:2]
    return_service.save_spend(
        actor(transaction, LAMBETH_GRANTEE), first, {SpendCategory.STAFF: 400_000_00}
    )
    transaction.commit()
    response = fill(
        signed_in(LAMBETH_GRANTEE),
        f"/returns/{second.id}/spend",
        {"staff": "60000", "delivery": "0", "overheads": "0", "capital": "0"},
    )
    assert response.status_code == 302
    stored = reload(transaction, second)
    assert spend_of(stored)[SpendCategory.STAFF] == 60_000_00
    assert stored.overspend_explanation == ""


# --- the task list: outputs, narrative, forecast, milestones, RAG, evidence --------------------


def indicators_of(session, code: str):
    stream = session.scalars(select(FundingStream).where(FundingStream.code == code)).one()
    return sorted(stream.indicators, key=lambda i: i.code)


def test_saving_outputs_stores_whole_numbers_and_shows_the_section_completed(
    signed_in, transaction
):
    milestone_return = returns_of(transaction, LAMBETH_SWIS)[0]
    indicators = indicators_of(transaction, "SWIS")
    typed = dict(zip((i.id for i in indicators), ["12", "1,250", "0"], strict=True))
    assert len(indicators) == 3
    grantee = signed_in(LAMBETH_GRANTEE)
    response = fill(
        grantee,
        f"/returns/{milestone_return.id}/outputs",
        {f"indicator_{i}": value for i, value in typed.items()},
    )
    page = follow(grantee, response)
    assert task_statuses(page)["Outputs"] == "Completed"
    stored = reload(transaction, milestone_return)
    assert {row.indicator_id: row.value for row in stored.indicator_values} == dict(
        zip((i.id for i in indicators), [12, 1250, 0], strict=True)
    )


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("1.5", "as a whole number, like 12"),
        ("-1", "must be 0 or more"),
        ("lots", "as a whole number, like 12"),
        ("", "Enter the"),
        ("²", "as a whole number, like 12"),
        ("1e3", "as a whole number, like 12"),
        ("10,00", "as a whole number, like 12"),
        ("1,0,0", "as a whole number, like 12"),
        ("1,2345", "as a whole number, like 12"),
        (",100", "as a whole number, like 12"),
        ("100,", "as a whole number, like 12"),
        ("1 000", "as a whole number, like 12"),
    ],
    ids=[
        "fraction",
        "negative",
        "text",
        "empty",
        "superscript-two",
        "exponent",
        "misplaced-comma",
        "commas-between-digits",
        "group-of-four",
        "leading-comma",
        "trailing-comma",
        "space-grouped",
    ],
)
def test_an_output_that_is_not_a_whole_number_of_zero_or_more_is_refused(
    signed_in, transaction, typed, message
):
    milestone_return = returns_of(transaction, LAMBETH_SWIS)[0]
    version = milestone_return.version
    first, *others = indicators_of(transaction, "SWIS")
    data = {f"indicator_{first.id}": typed, **{f"indicator_{i.id}": "7" for i in others}}
    response = fill(signed_in(LAMBETH_GRANTEE), f"/returns/{milestone_return.id}/outputs", data)
    assert response.status_code == 200
    assert message in error_beside(response, f"indicator_{first.id}")
    assert first.name.lower() in error_beside(response, f"indicator_{first.id}")
    for other in others:
        assert value_of(response, f"indicator_{other.id}") == "7"
        assert error_beside(response, f"indicator_{other.id}") == ""
    stored = reload(transaction, milestone_return)
    assert stored.indicator_values == []
    assert stored.version == version
    assert stored.status == ReturnStatus.NOT_STARTED


def test_saving_progress_and_risks_shows_the_section_completed(signed_in, transaction):
    milestone_return = returns_of(transaction, LAMBETH_SWIS)[0]
    grantee = signed_in(LAMBETH_GRANTEE)
    response = fill(
        grantee,
        f"/returns/{milestone_return.id}/narrative",
        {"narrative": "  Five schools have a social worker.  ", "risks": "Recruitment is slow."},
    )
    page = follow(grantee, response)
    assert task_statuses(page)["Progress and risks"] == "Completed"
    stored = reload(transaction, milestone_return)
    assert stored.narrative == "Five schools have a social worker."
    assert stored.risks == "Recruitment is slow."


@pytest.mark.parametrize("narrative", ["", "   "], ids=["empty", "spaces"])
def test_progress_must_be_described(signed_in, transaction, narrative):
    milestone_return = returns_of(transaction, LAMBETH_SWIS)[0]
    response = fill(
        signed_in(LAMBETH_GRANTEE),
        f"/returns/{milestone_return.id}/narrative",
        {"narrative": narrative, "risks": "Recruitment is slow."},
    )
    assert response.status_code == 200
    assert "Describe the progress made in this period" in error_beside(response, "narrative")
    assert value_of(response, "risks") == "Recruitment is slow."
    stored = reload(transaction, milestone_return)
    assert (stored.narrative, stored.risks, stored.completed_sections) == ("", "", [])


def test_a_forecast_is_kept_for_each_later_quarter(signed_in, transaction):
    milestone_return = returns_of(transaction, LAMBETH_SWIS)[4]  # July to September 2021
    grantee = signed_in(LAMBETH_GRANTEE)
    url = f"/returns/{milestone_return.id}/forecast"
    assert {
        tag["name"]
        for tag in soup_of(grantee.get(url)).find_all("input")
        if tag["name"].startswith("period_")
    } == {"period_2021_10_01", "period_2022_01_01"}

    refused = fill(grantee, url, {"period_2021_10_01": "-5", "period_2022_01_01": "80000"})
    assert refused.status_code == 200
    assert "£0 or more" in error_beside(refused, "period_2021_10_01")
    assert value_of(refused, "period_2022_01_01") == "80000"
    assert reload(transaction, milestone_return).forecasts == []

    page = follow(
        grantee, fill(grantee, url, {"period_2021_10_01": "75000", "period_2022_01_01": "80000.25"})
    )
    assert task_statuses(page)["Forecast of remaining spend"] == "Completed"
    stored = reload(transaction, milestone_return)
    assert {row.period_start: row.amount_pence for row in stored.forecasts} == {
        date(2021, 10, 1): 75_000_00,
        date(2022, 1, 1): 80_000_25,
    }


def test_progress_on_each_milestone_due_in_the_period_is_kept(signed_in, transaction):
    milestone_return = returns_of(transaction, LAMBETH_SWIS)[0]
    (milestone,) = transaction.scalars(
        select(Milestone).where(
            Milestone.project_id == milestone_return.project_id,
            Milestone.due_on == date(2020, 9, 30),
        )
    )
    grantee = signed_in(LAMBETH_GRANTEE)
    url = f"/returns/{milestone_return.id}/milestones"
    refused = fill(grantee, url, {f"note_{milestone.id}": "Nearly there"})
    assert refused.status_code == 200
    assert "has been completed" in error_beside(refused, f"completed_{milestone.id}")
    assert value_of(refused, f"note_{milestone.id}") == "Nearly there"
    assert reload(transaction, milestone_return).milestone_progress == []

    page = follow(
        grantee,
        fill(
            grantee,
            url,
            {f"completed_{milestone.id}": "yes", f"note_{milestone.id}": "Done in September"},
        ),
    )
    assert task_statuses(page)["Milestones"] == "Completed"
    (progress,) = reload(transaction, milestone_return).milestone_progress
    assert (progress.milestone_id, progress.completed, progress.note) == (
        milestone.id,
        True,
        "Done in September",
    )


def test_the_grantee_chooses_an_overall_status(signed_in, transaction):
    milestone_return = returns_of(transaction, LAMBETH_SWIS)[0]
    grantee = signed_in(LAMBETH_GRANTEE)
    url = f"/returns/{milestone_return.id}/rag"
    refused = fill(grantee, url, {})
    assert refused.status_code == 200
    assert "Select how the project is going" in error_beside(refused, "rag")
    assert reload(transaction, milestone_return).self_rag is None

    page = follow(grantee, fill(grantee, url, {"rag": "amber"}))
    assert task_statuses(page)["Overall status (RAG)"] == "Completed"
    assert reload(transaction, milestone_return).self_rag == Rag.AMBER


def test_evidence_is_uploaded_and_the_section_marked_done(signed_in, transaction, uploads):
    milestone_return = returns_of(transaction, LAMBETH_SWIS)[0]
    grantee = signed_in(LAMBETH_GRANTEE)
    url = f"/returns/{milestone_return.id}/evidence"

    page = grantee.get(url)
    refused = grantee.client.post(
        url,
        data={
            "csrf_token": csrf_token_from(page),
            "version": version_on(page),
            "file": (io.BytesIO(b"not a pdf at all\x00"), "invoice.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert refused.status_code == 200
    assert "The selected file must be a PDF, DOCX, XLSX, CSV, PNG or JPEG" in error_beside(
        refused, "file"
    )
    assert reload(transaction, milestone_return).evidence == []

    page = grantee.get(url)
    uploaded = grantee.client.post(
        url,
        data={
            "csrf_token": csrf_token_from(page),
            "version": version_on(page),
            "file": (io.BytesIO(PDF), "invoice.pdf"),
        },
        content_type="multipart/form-data",
    )
    page = follow(grantee, uploaded)
    assert "invoice.pdf" in words(soup_of(page).find(id="evidence-files"))
    (stored,) = reload(transaction, milestone_return).evidence
    assert stored.original_name == "invoice.pdf"
    assert (uploads / stored.stored_name).read_bytes() == PDF

    done = grantee.client.post(
        f"{url}/done",
        data={
            "csrf_token": csrf_token_from(page),
            "done-version": soup_of(page).find("input", attrs={"name": "done-version"})["value"],
        },
    )
    page = follow(grantee, done)
    assert task_statuses(page)["Evidence"] == "Completed"
    download = grantee.get(f"{url}/{stored.id}")
    assert download.status_code == 200
    assert download.data == PDF


# --- submitting --------------------------------------------------------------------------------


def test_a_return_with_sections_still_to_do_cannot_be_submitted_and_says_which(
    signed_in, transaction
):
    milestone_return = returns_of(transaction, LAMBETH_SWIS)[0]
    who = actor(transaction, LAMBETH_GRANTEE)
    return_service.save_spend(who, milestone_return, {SpendCategory.STAFF: 100})
    return_service.save_narrative(who, milestone_return, narrative="Going well", risks="")
    transaction.commit()
    grantee = signed_in(LAMBETH_GRANTEE)
    url = f"/returns/{milestone_return.id}/check-answers"
    assert "You still need to complete: forecast of remaining spend, outputs, milestones" in (
        text_of(grantee.get(url))
    )

    response = fill(grantee, url, {"declared_by_name": "Grace Grantee", "confirm": "y"})
    assert response.status_code == 200
    assert error_at_top_of_form(response) == (
        "Error: Complete every section before you submit: forecast of remaining spend, "
        "outputs, milestones, overall status (rag), evidence"
    )
    stored = reload(transaction, milestone_return)
    assert stored.status == ReturnStatus.DRAFT
    assert stored.submitted_at is None
    assert "return submitted" not in actions_on(transaction, stored)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"declared_by_name": "Grace Grantee"}, "confirm", "Confirm the declaration"),
        ({"declared_by_name": "", "confirm": "y"}, "declared_by_name", "Enter your full name"),
    ],
    ids=["not-confirmed", "no-name"],
)
def test_the_declaration_must_be_made_to_submit(signed_in, transaction, data, field, message):
    milestone_return = returns_of(transaction, LAMBETH_SWIS)[0]
    complete_every_section(transaction, milestone_return, LAMBETH_GRANTEE)
    transaction.commit()
    response = fill(
        signed_in(LAMBETH_GRANTEE), f"/returns/{milestone_return.id}/check-answers", data
    )
    assert response.status_code == 200
    assert message in error_beside(response, field)
    stored = reload(transaction, milestone_return)
    assert stored.status == ReturnStatus.DRAFT
    assert stored.declared_by_name == ""


def test_a_return_for_a_stream_that_asks_for_sign_off_goes_to_the_certifier_then_the_department(
    signed_in, transaction
):
    milestone_return = returns_of(transaction, LAMBETH_SWIS)[0]
    assert milestone_return.project.allocation.stream.requires_certifier_sign_off
    grantee = signed_in(LAMBETH_GRANTEE)
    fill_every_section_in_the_browser(grantee, transaction, milestone_return)
    mail_before = newest_outbox_id(transaction)

    submitted = fill(
        grantee,
        f"/returns/{milestone_return.id}/check-answers",
        {"declared_by_name": "Grace Grantee", "confirm": "y"},
    )
    page = follow(grantee, submitted)
    assert status_on(page) == "Awaiting sign-off"
    assert "Return sent to your certifier to sign off" in banner(page)
    stored = reload(transaction, milestone_return)
    assert stored.status == ReturnStatus.AWAITING_SIGN_OFF
    assert stored.declared_by_name == "Grace Grantee"
    assert stored.submitted_at is not None
    assert mail_since(transaction, mail_before) == {(LAMBETH_CERTIFIER, "return awaiting sign-off")}
    assert (
        last_event(transaction, stored, "return submitted").after["status"] == "awaiting sign-off"
    )

    certifier = signed_in(LAMBETH_CERTIFIER)
    mail_before = newest_outbox_id(transaction)
    signed = fill(certifier, f"/returns/{milestone_return.id}/sign-off", {"decision": "sign-off"})
    page = follow(certifier, signed)
    assert status_on(page) == "Submitted"
    stored = reload(transaction, milestone_return)
    assert stored.status == ReturnStatus.SUBMITTED
    assert stored.signed_off_by_id == user(transaction, LAMBETH_CERTIFIER).id
    assert mail_since(transaction, mail_before) == {
        (OFFICER, "return submitted"),
        (OFFICER_2, "return submitted"),
    }
    assert actions_on(transaction, stored)[-2:] == ["return submitted", "return signed off"]
    assert status_on(grantee.get(f"/returns/{milestone_return.id}")) == "Submitted"


def test_a_return_for_a_stream_without_sign_off_goes_straight_to_the_department(
    signed_in, transaction
):
    milestone_return = returns_of(transaction, LAMBETH_SWIS)[0]
    milestone_return.project.allocation.stream.requires_certifier_sign_off = False
    complete_every_section(transaction, milestone_return, LAMBETH_GRANTEE)
    transaction.commit()
    grantee = signed_in(LAMBETH_GRANTEE)
    mail_before = newest_outbox_id(transaction)
    page = follow(
        grantee,
        fill(
            grantee,
            f"/returns/{milestone_return.id}/check-answers",
            {"declared_by_name": "Grace Grantee", "confirm": "y"},
        ),
    )
    assert status_on(page) == "Submitted"
    assert "Return submitted to the department" in banner(page)
    assert reload(transaction, milestone_return).status == ReturnStatus.SUBMITTED
    assert mail_since(transaction, mail_before) == {
        (OFFICER, "return submitted"),
        (OFFICER_2, "return submitted"),
    }


def test_a_certifier_cannot_sign_off_a_return_they_drafted_themselves(signed_in, transaction):
    milestone_return = returns_of(transaction, LAMBETH_SWIS)[0]
    complete_every_section(transaction, milestone_return, LAMBETH_CERTIFIER)
    return_service.submit(
        actor(transaction, LAMBETH_CERTIFIER), milestone_return, declared_by_name="Chief Finance"
    )
    transaction.commit()
    assert milestone_return.drafted_by_id == user(transaction, LAMBETH_CERTIFIER).id

    certifier = signed_in(LAMBETH_CERTIFIER)
    response = fill(certifier, f"/returns/{milestone_return.id}/sign-off", {"decision": "sign-off"})
    assert response.status_code == 200
    assert "You drafted this return, so another certifier must sign it off" in error_beside(
        response, "decision"
    )
    stored = reload(transaction, milestone_return)
    assert stored.status == ReturnStatus.AWAITING_SIGN_OFF
    assert stored.signed_off_by_id is None
    assert "return signed off" not in actions_on(transaction, stored)


def test_a_certifier_sending_a_return_back_must_say_why_and_the_drafter_sees_it(
    signed_in, transaction
):
    milestone_return = returns_of(transaction, LAMBETH_SWIS)[0]
    complete_every_section(transaction, milestone_return, LAMBETH_GRANTEE)
    return_service.submit(
        actor(transaction, LAMBETH_GRANTEE), milestone_return, declared_by_name="Grace Grantee"
    )
    transaction.commit()
    certifier = signed_in(LAMBETH_CERTIFIER)
    url = f"/returns/{milestone_return.id}/sign-off"

    refused = fill(certifier, url, {"decision": "send-back", "reason": "  "})
    assert refused.status_code == 200
    assert "Enter why you are sending the return back" in error_beside(refused, "reason")
    assert reload(transaction, milestone_return).status == ReturnStatus.AWAITING_SIGN_OFF

    mail_before = newest_outbox_id(transaction)
    sent_back = fill(
        certifier, url, {"decision": "send-back", "reason": "The staff costs look doubled."}
    )
    assert sent_back.status_code == 302
    stored = reload(transaction, milestone_return)
    assert stored.status == ReturnStatus.DRAFT
    assert stored.reviews[-1].decision == ReviewDecision.RETURNED_TO_DRAFTER
    assert stored.reviews[-1].reasons == "The staff costs look doubled."
    assert mail_since(transaction, mail_before) == {(LAMBETH_GRANTEE, "return returned to drafter")}
    assert last_event(transaction, stored, "return sent back to drafter").after["reason"] == (
        "The staff costs look doubled."
    )

    page = signed_in(LAMBETH_GRANTEE).get(f"/returns/{milestone_return.id}")
    assert status_on(page) == "Draft"
    assert "The staff costs look doubled." in words(soup_of(page).find(id="review-history"))
    assert task_statuses(page)["Spend in the period"] == "Completed"


# --- frozen once submitted ---------------------------------------------------------------------


SECTION_POSTS = {
    "spend": {"staff": "1", "delivery": "1", "overheads": "1", "capital": "1"},
    "forecast": {},
    "outputs": {},
    "milestones": {},
    "narrative": {"narrative": "Changed after submission", "risks": ""},
    "rag": {"rag": "red"},
    "response": {"response": "Changed after submission"},
    "check-answers": {"declared_by_name": "Someone Else", "confirm": "y"},
    "evidence": {},
    "evidence/done": {},
}


@pytest.mark.parametrize(
    "status", [ReturnStatus.AWAITING_SIGN_OFF, ReturnStatus.SUBMITTED, ReturnStatus.APPROVED]
)
def test_once_submitted_the_grantee_cannot_change_any_section(
    signed_in, transaction, uploads, status
):
    milestone_return, editable = returns_of(transaction, LAMBETH_SWIS)[:2]
    evidence = evidence_service.add_file(
        actor(transaction, LAMBETH_GRANTEE),
        milestone_return,
        filename="payroll.pdf",
        content=PDF,
        folder=uploads,
        max_bytes=1024 * 1024,
    )
    complete_every_section(transaction, milestone_return, LAMBETH_GRANTEE, staff_pence=12_345)
    return_service.submit(
        actor(transaction, LAMBETH_GRANTEE), milestone_return, declared_by_name="Grace Grantee"
    )
    if status != ReturnStatus.AWAITING_SIGN_OFF:
        return_service.sign_off(
            actor(transaction, LAMBETH_CERTIFIER), milestone_return, approve=True
        )
    if status == ReturnStatus.APPROVED:
        return_service.review(
            actor(transaction, OFFICER),
            milestone_return,
            approve=True,
            reasons="",
            reviewer_rag=Rag.GREEN,
        )
    transaction.commit()
    assert milestone_return.status == status
    before = reload(transaction, milestone_return)
    snapshot = (
        before.status,
        before.version,
        spend_of(before),
        before.narrative,
        before.self_rag,
        before.declared_by_name,
        sorted(before.completed_sections),
    )
    grantee = signed_in(LAMBETH_GRANTEE)
    token = csrf_token_from(grantee.get(f"/returns/{editable.id}/spend"))
    events_before = count(transaction, AuditEvent)

    for section, data in [*SECTION_POSTS.items(), (f"evidence/{evidence.id}/delete", {})]:
        url = f"/returns/{milestone_return.id}/{section}"
        shown = (
            grantee.get(url) if section in SECTION_POSTS and section != "evidence/done" else None
        )
        if shown is not None:
            assert shown.status_code == 302, section
            assert shown.headers["Location"].endswith(f"/returns/{milestone_return.id}")
        response = grantee.client.post(
            url, data={"csrf_token": token, "version": str(before.version), **data}
        )
        assert response.status_code == 302, section
        if section != "evidence/done":
            assert "it can no longer be changed" in banner(
                grantee.get(response.headers["Location"], follow_redirects=True)
            )
        after = reload(transaction, milestone_return)
        assert (
            after.status,
            after.version,
            spend_of(after),
            after.narrative,
            after.self_rag,
            after.declared_by_name,
            sorted(after.completed_sections),
        ) == snapshot, section
        assert [f.id for f in after.evidence] == [evidence.id], section
    assert count(transaction, AuditEvent) == events_before
    assert (uploads / evidence.stored_name).read_bytes() == PDF

    page = grantee.get(f"/returns/{milestone_return.id}")
    assert task_statuses(page) == {}
    assert "Check your answers and submit" not in text_of(page)


# --- the officer's review ----------------------------------------------------------------------


def test_an_officer_sending_a_return_back_must_give_reasons(signed_in, transaction):
    milestone_return = submit_and_sign_off(transaction, returns_of(transaction, LAMBETH_SWIS)[0])
    response = fill(
        signed_in(OFFICER),
        f"/returns/{milestone_return.id}/review",
        {"decision": "send-back", "reviewer_rag": "amber", "reasons": ""},
    )
    assert response.status_code == 200
    assert "Enter the reasons the return is being sent back" in error_beside(response, "reasons")
    stored = reload(transaction, milestone_return)
    assert stored.status == ReturnStatus.SUBMITTED
    assert stored.reviewer_rag is None
    assert stored.reviews[-1].decision == ReviewDecision.SIGNED_OFF


def test_every_mistake_in_a_review_is_shown_at_once(signed_in, transaction):
    milestone_return = submit_and_sign_off(transaction, returns_of(transaction, LAMBETH_SWIS)[0])
    response = fill(
        signed_in(OFFICER),
        f"/returns/{milestone_return.id}/review",
        {"decision": "send-back", "reasons": ""},
    )
    assert response.status_code == 200
    assert "Select your RAG rating" in error_beside(response, "reviewer_rag")
    assert "Enter the reasons the return is being sent back" in error_beside(response, "reasons")
    summary = soup_of(response).select(".govuk-error-summary a")
    assert len(summary) == 2
    assert reload(transaction, milestone_return).status == ReturnStatus.SUBMITTED


def test_a_return_sent_back_is_answered_resubmitted_and_approved_with_each_step_recorded(
    signed_in, transaction
):
    milestone_return = submit_and_sign_off(
        transaction, returns_of(transaction, LAMBETH_SWIS)[0], staff_pence=70_000_00
    )
    officer = signed_in(OFFICER)
    grantee = signed_in(LAMBETH_GRANTEE)
    certifier = signed_in(LAMBETH_CERTIFIER)
    review = f"/returns/{milestone_return.id}/review"

    # The officer sends it back with reasons and a RAG rating.
    mail_before = newest_outbox_id(transaction)
    reasons = "Explain the delivery costs in September."
    sent_back = fill(
        officer, review, {"decision": "send-back", "reviewer_rag": "amber", "reasons": reasons}
    )
    assert sent_back.status_code == 302
    stored = reload(transaction, milestone_return)
    assert stored.status == ReturnStatus.CHANGES_REQUESTED
    assert stored.reviewer_rag == Rag.AMBER
    assert stored.reviewed_by_id == user(transaction, OFFICER).id
    event = last_event(transaction, stored, "return changes requested")
    assert event.actor_id == user(transaction, OFFICER).id
    assert event.after == {
        "status": "changes requested",
        "reviewer_rag": "amber",
        "reasons": reasons,
    }
    assert mail_since(transaction, mail_before) == {
        (LAMBETH_GRANTEE, "return changes requested"),
        (LAMBETH_CERTIFIER, "return changes requested"),
    }

    # The grantee sees why, and must answer before resubmitting.
    page = grantee.get(f"/returns/{milestone_return.id}")
    assert status_on(page) == "Changes requested"
    assert f"The department sent this return back: {reasons}" in text_of(page)
    assert task_statuses(page)["Your answer to the department"] == "Incomplete"
    unanswered = fill(
        grantee,
        f"/returns/{milestone_return.id}/check-answers",
        {"declared_by_name": "Grace Grantee", "confirm": "y"},
    )
    assert unanswered.status_code == 200
    assert "response to the department" in error_at_top_of_form(unanswered)
    assert reload(transaction, milestone_return).status == ReturnStatus.CHANGES_REQUESTED

    empty = fill(grantee, f"/returns/{milestone_return.id}/response", {"response": ""})
    assert "Enter your answer to the department" in error_beside(empty, "response")
    answer = "September included two agency social workers while we recruited."
    page = follow(
        grantee, fill(grantee, f"/returns/{milestone_return.id}/response", {"response": answer})
    )
    assert task_statuses(page)["Your answer to the department"] == "Completed"
    assert reload(transaction, milestone_return).grantee_response == answer

    mail_before = newest_outbox_id(transaction)
    resubmitted = fill(
        grantee,
        f"/returns/{milestone_return.id}/check-answers",
        {"declared_by_name": "Grace Grantee", "confirm": "y"},
    )
    assert resubmitted.status_code == 302
    assert reload(transaction, milestone_return).status == ReturnStatus.AWAITING_SIGN_OFF
    assert mail_since(transaction, mail_before) == {(LAMBETH_CERTIFIER, "return awaiting sign-off")}
    mail_before = newest_outbox_id(transaction)
    signed = fill(certifier, f"/returns/{milestone_return.id}/sign-off", {"decision": "sign-off"})
    assert signed.status_code == 302
    assert reload(transaction, milestone_return).status == ReturnStatus.SUBMITTED
    # Signed off again, it goes back to the officer who reviewed it, not to every officer.
    assert mail_since(transaction, mail_before) == {(OFFICER, "return submitted")}

    # The officer reads the answer and the earlier reasons, and approves.
    page = officer.get(review)
    assert answer in text_of(page)
    assert reasons in words(soup_of(page).find(id="review-history"))
    mail_before = newest_outbox_id(transaction)
    approved = fill(
        officer, review, {"decision": "approve", "reviewer_rag": "green", "reasons": ""}
    )
    assert approved.status_code == 302
    stored = reload(transaction, milestone_return)
    assert stored.status == ReturnStatus.APPROVED
    assert stored.reviewer_rag == Rag.GREEN
    assert [r.decision for r in stored.reviews] == [
        ReviewDecision.SIGNED_OFF,
        ReviewDecision.CHANGES_REQUESTED,
        ReviewDecision.SIGNED_OFF,
        ReviewDecision.APPROVED,
    ]
    assert stored.reviews[-1].rag == Rag.GREEN
    sent = mail_since(transaction, mail_before)
    assert {(LAMBETH_GRANTEE, "return approved"), (LAMBETH_CERTIFIER, "return approved")} <= sent
    assert not {to for to, kind in sent if kind == "return approved"} - {
        LAMBETH_GRANTEE,
        LAMBETH_CERTIFIER,
    }
    (payment,) = transaction.scalars(select(Payment).where(Payment.return_id == stored.id))
    assert payment.amount_pence == 70_000_00

    assert actions_on(transaction, stored)[-5:] == [
        "return changes requested",
        "return response saved",
        "return submitted",
        "return signed off",
        "return approved",
    ]
    assert status_on(grantee.get(f"/returns/{milestone_return.id}")) == "Approved"
    # Approved is final: the officer cannot review it again.
    again = officer.get(review)
    assert again.status_code == 302


# --- spend against plan ------------------------------------------------------------------------


def variance_rows(response) -> dict[str, list[str]]:
    table = soup_of(response).find(id="variance")
    return {
        words(row.th): [words(cell) for cell in row.find_all("td")]
        for row in table.tbody.find_all("tr")
    }


def test_the_review_page_compares_spend_with_the_profile_and_the_previous_return(
    signed_in, transaction
):
    """Lambeth's profile gives 2020-21 £225,000 over the three quarters it runs through:
    £75,000 a quarter. £80,000 is 6.7% over that; against £60,000 last quarter, 33.3% over."""
    first, second = returns_of(transaction, LAMBETH_SWIS)[:2]
    return_service.save_spend(
        actor(transaction, LAMBETH_GRANTEE), first, {SpendCategory.STAFF: 60_000_00}
    )
    submit_and_sign_off(transaction, second, staff_pence=80_000_00)
    rows = variance_rows(signed_in(OFFICER).get(f"/returns/{second.id}/review"))
    assert rows == {
        "Against the allocation's profile": ["£80,000.00", "£75,000.00", "6.7%"],
        "Against the previous return": ["£80,000.00", "£60,000.00", "33.3% More than 10% off plan"],
    }


@pytest.mark.parametrize(
    ("staff_pence", "shown"),
    [
        (82_500_00, "10.0%"),
        (90_000_00, "20.0% More than 10% off plan"),
        (67_500_00, "-10.0%"),
        (60_000_00, "-20.0% More than 10% off plan"),
    ],
    ids=[
        "ten-per-cent-over",
        "twenty-per-cent-over",
        "ten-per-cent-under",
        "twenty-per-cent-under",
    ],
)
def test_a_variance_of_more_than_ten_per_cent_either_way_is_flagged(
    signed_in, transaction, staff_pence, shown
):
    second = returns_of(transaction, LAMBETH_SWIS)[1]
    submit_and_sign_off(transaction, second, staff_pence=staff_pence)
    rows = variance_rows(signed_in(OFFICER).get(f"/returns/{second.id}/review"))
    assert rows["Against the allocation's profile"][1:] == ["£75,000.00", shown]
    assert rows["Against the previous return"][1] == "£0.00"


# --- moving a due date -------------------------------------------------------------------------


def test_an_officer_moves_a_due_date_with_a_reason_and_it_is_recorded(signed_in, transaction):
    milestone_return = returns_of(transaction, LAMBETH_SWIS)[0]
    officer = signed_in(OFFICER)
    url = f"/returns/{milestone_return.id}/due-date"

    no_reason = fill(officer, url, {"due_on": ["1", "12", "2020"], "reason": ""})
    assert no_reason.status_code == 200
    assert "Enter why the due date is moving" in error_beside(no_reason, "reason")

    too_early = fill(
        officer, url, {"due_on": ["29", "9", "2020"], "reason": "The council asked for more time"}
    )
    assert too_early.status_code == 200
    assert "after the end of the reporting period" in error_beside(too_early, "due_on")
    assert [value_of(too_early, f"due_on-{part}") for part in ("day", "month", "year")] == [
        "29",
        "9",
        "2020",
    ]
    assert value_of(too_early, "reason") == "The council asked for more time"
    stored = reload(transaction, milestone_return)
    assert stored.due_on == date(2020, 10, 28)
    assert "return due date moved" not in actions_on(transaction, stored)

    moved = fill(
        officer, url, {"due_on": ["1", "12", "2020"], "reason": "The council asked for more time"}
    )
    page = follow(officer, moved)
    assert "Due 1 December 2020 (moved: The council asked for more time)" in text_of(page)
    stored = reload(transaction, milestone_return)
    assert stored.due_on == date(2020, 12, 1)
    assert stored.due_on_moved_reason == "The council asked for more time"
    event = last_event(transaction, stored, "return due date moved")
    assert event.actor_id == user(transaction, OFFICER).id
    assert event.before == {"due_on": "2020-10-28"}
    assert event.after == {"due_on": "2020-12-01", "reason": "The council asked for more time"}


def test_a_grantee_cannot_move_a_due_date(signed_in, transaction):
    milestone_return = returns_of(transaction, LAMBETH_SWIS)[0]
    grantee = signed_in(LAMBETH_GRANTEE)
    assert grantee.get(f"/returns/{milestone_return.id}/due-date").status_code == 403
    assert reload(transaction, milestone_return).due_on == date(2020, 10, 28)


# --- two people at once ------------------------------------------------------------------------


def test_a_save_from_a_page_someone_else_has_since_saved_is_refused_and_theirs_kept(
    signed_in, transaction
):
    milestone_return = returns_of(transaction, LAMBETH_SWIS)[0]
    first, second = signed_in(LAMBETH_GRANTEE), signed_in(LAMBETH_CERTIFIER)
    url = f"/returns/{milestone_return.id}/spend"
    first_page, second_page = first.get(url), second.get(url)
    assert version_on(first_page) == version_on(second_page)

    saved = first.client.post(
        url,
        data={
            "csrf_token": csrf_token_from(first_page),
            "version": version_on(first_page),
            "staff": "1000",
            "delivery": "200",
            "overheads": "0",
            "capital": "0",
        },
    )
    assert saved.status_code == 302
    stale = second.client.post(
        url,
        data={
            "csrf_token": csrf_token_from(second_page),
            "version": version_on(second_page),
            "staff": "9999",
            "delivery": "9999",
            "overheads": "0",
            "capital": "0",
        },
    )
    assert stale.status_code == 200
    assert "Reload the page" in error_at_top_of_form(stale)
    assert value_of(stale, "staff") == "9999"
    stored = reload(transaction, milestone_return)
    assert spend_of(stored)[SpendCategory.STAFF] == 1000_00
    assert spend_of(stored)[SpendCategory.DELIVERY] == 200_00
    assert actions_on(transaction, stored) == ["return spend saved"]

    reloaded = second.get(url)
    assert value_of(reloaded, "staff") == "1000.00"
    assert (
        fill(
            second, url, {"staff": "1500", "delivery": "200", "overheads": "0", "capital": "0"}
        ).status_code
        == 302
    )
    assert spend_of(reload(transaction, milestone_return))[SpendCategory.STAFF] == 1500_00


def test_a_form_without_its_version_is_refused_as_stale(signed_in, transaction):
    milestone_return = returns_of(transaction, LAMBETH_SWIS)[0]
    response = fill(
        signed_in(LAMBETH_GRANTEE),
        f"/returns/{milestone_return.id}/narrative",
        {"narrative": "Progress"},
        version="",
    )
    assert response.status_code == 200
    assert "Reload the page" in error_at_top_of_form(response)
    assert reload(transaction, milestone_return).narrative == ""


def test_submitting_twice_with_the_same_page_submits_once(signed_in, transaction):
    milestone_return = returns_of(transaction, LAMBETH_SWIS)[0]
    complete_every_section(transaction, milestone_return, LAMBETH_GRANTEE)
    transaction.commit()
    grantee = signed_in(LAMBETH_GRANTEE)
    url = f"/returns/{milestone_return.id}/check-answers"
    page = grantee.get(url)
    form = {
        "csrf_token": csrf_token_from(page),
        "version": version_on(page),
        "declared_by_name": "Grace Grantee",
        "confirm": "y",
    }
    mail_before = newest_outbox_id(transaction)
    first = grantee.client.post(url, data=form)
    assert first.status_code == 302
    submitted_at = reload(transaction, milestone_return).submitted_at
    second = grantee.client.post(url, data=form)
    assert second.status_code == 302
    assert "it can no longer be changed" in banner(
        grantee.get(second.headers["Location"], follow_redirects=True)
    )
    stored = reload(transaction, milestone_return)
    assert stored.status == ReturnStatus.AWAITING_SIGN_OFF
    assert stored.submitted_at == submitted_at
    assert actions_on(transaction, stored).count("return submitted") == 1
    queued = list(
        transaction.scalars(select(OutboxMessage.to_address).where(OutboxMessage.id > mail_before))
    )
    assert queued == [LAMBETH_CERTIFIER]


# --- the officer's queue -----------------------------------------------------------------------


def queue_ids(response) -> set[int]:
    table = soup_of(response).find("table")
    if table is None:
        return set()
    return {int(a["href"].rsplit("/", 1)[1]) for a in table.tbody.find_all("a")}


def result_count(response) -> int:
    return int(words(soup_of(response).find(id="result-count")).split()[0])


def test_the_officers_queue_filters_by_stream_status_overdue_and_rag(signed_in, transaction):
    lambeth = returns_of(transaction, LAMBETH_SWIS)
    birmingham = returns_of(transaction, TRF_BIRMINGHAM)
    southampton = returns_of(transaction, SOUTHAMPTON_SWIS)
    lambeth[0].status, lambeth[0].self_rag = ReturnStatus.SUBMITTED, Rag.RED
    birmingham[0].status, birmingham[0].self_rag = ReturnStatus.SUBMITTED, Rag.GREEN
    lambeth[1].status, lambeth[1].self_rag = ReturnStatus.APPROVED, Rag.GREEN
    lambeth[2].status, lambeth[2].self_rag = ReturnStatus.DRAFT, Rag.RED
    southampton[0].due_on = date.today() + timedelta(days=10)  # not started, not yet due
    transaction.commit()
    streams = {s.code: s.id for s in transaction.scalars(select(FundingStream))}
    officer = signed_in(OFFICER)

    waiting = officer.get("/returns")
    assert queue_ids(waiting) == {lambeth[0].id, birmingham[0].id}
    assert result_count(waiting) == 2

    swis_submitted = officer.get(f"/returns?stream={streams['SWIS']}&status=submitted&rag=")
    assert queue_ids(swis_submitted) == {lambeth[0].id}

    approved = officer.get("/returns?stream=&status=approved&rag=")
    assert queue_ids(approved) == {lambeth[1].id}

    red = officer.get("/returns?stream=&status=&rag=red")
    assert queue_ids(red) == {lambeth[0].id, lambeth[2].id}

    green_trf = officer.get(f"/returns?stream={streams['TRF']}&status=&rag=green")
    assert queue_ids(green_trf) == {birmingham[0].id}

    overdue_swis = officer.get(f"/returns?stream={streams['SWIS']}&status=overdue&rag=")
    expected = {r.id for r in lambeth + southampton} - {
        lambeth[0].id,
        lambeth[1].id,
        southampton[0].id,
    }
    assert queue_ids(overdue_swis) == expected
    assert result_count(overdue_swis) == len(expected)
    assert text_of(overdue_swis).count("Overdue") >= len(expected)

    overdue_red = officer.get("/returns?stream=&status=overdue&rag=red")
    assert queue_ids(overdue_red) == {lambeth[2].id}


def test_the_queue_is_for_civil_servants_only(signed_in, transaction):
    assert signed_in(LAMBETH_GRANTEE).get("/returns").status_code == 403


# --- another organisation's returns are not found ----------------------------------------------


def lambeth_state(session, milestone_return) -> tuple:
    stored = reload(session, milestone_return)
    return (
        stored.status,
        stored.version,
        spend_of(stored),
        stored.narrative,
        stored.self_rag,
        sorted(stored.completed_sections),
        stored.declared_by_name,
        stored.signed_off_by_id,
        len(stored.evidence),
        count(session, AuditEvent),
        count(session, OutboxMessage),
        count(session, Variation),
        count(session, EvidenceFile),
        count(session, Payment),
    )


@pytest.mark.parametrize("who", [SOUTHAMPTON_GRANTEE, SOUTHAMPTON_CERTIFIER])
def test_another_organisations_return_and_everything_about_it_is_not_found(
    signed_in, transaction, uploads, who
):
    lambeth_returns = returns_of(transaction, LAMBETH_SWIS)
    drafted, waiting = lambeth_returns[0], lambeth_returns[1]
    lambeth_grantee = signed_in(LAMBETH_GRANTEE)
    # A Lambeth draft with evidence, and a Lambeth return waiting for its certifier.
    evidence_page = lambeth_grantee.get(f"/returns/{drafted.id}/evidence")
    assert (
        lambeth_grantee.client.post(
            f"/returns/{drafted.id}/evidence",
            data={
                "csrf_token": csrf_token_from(evidence_page),
                "version": version_on(evidence_page),
                "file": (io.BytesIO(PDF), "lambeth-payroll.pdf"),
            },
            content_type="multipart/form-data",
        ).status_code
        == 302
    )
    (evidence,) = reload(transaction, drafted).evidence
    complete_every_section(transaction, waiting, LAMBETH_GRANTEE)
    return_service.submit(
        actor(transaction, LAMBETH_GRANTEE), waiting, declared_by_name="Grace Grantee"
    )
    lambeth_allocation = allocation(transaction, LAMBETH_SWIS)
    variation = _lambeth_variation(transaction, lambeth_allocation)
    payment = _lambeth_payment(transaction, lambeth_allocation)
    transaction.commit()
    assert lambeth_grantee.get(f"/returns/{drafted.id}/evidence/{evidence.id}").status_code == 200

    outsider = signed_in(who)
    own = returns_of(transaction, SOUTHAMPTON_SWIS)[0]
    token = csrf_token_from(outsider.get(f"/returns/{own.id}/spend"))
    before = (lambeth_state(transaction, drafted), lambeth_state(transaction, waiting))

    gets = [
        f"/returns/{drafted.id}",
        *(
            f"/returns/{drafted.id}/{section}"
            for section in [
                "spend",
                "forecast",
                "outputs",
                "milestones",
                "narrative",
                "rag",
                "response",
                "check-answers",
                "evidence",
            ]
        ),
        f"/returns/{drafted.id}/evidence/{evidence.id}",
        f"/returns/{own.id}/evidence/{evidence.id}",
        f"/returns/{waiting.id}",
        f"/organisation/allocations/{lambeth_allocation.id}",
        f"/organisation/allocations/{lambeth_allocation.id}/variations/years",
        f"/organisation/allocations/{lambeth_allocation.id}/variations/categories",
        f"/organisation/allocations/{lambeth_allocation.id}/variations/end-date",
        f"/variations/{variation.id}",
    ]
    if who == SOUTHAMPTON_CERTIFIER:
        gets.append(f"/returns/{waiting.id}/sign-off")
    for url in gets:
        response = outsider.get(url)
        assert response.status_code == 404, url
        page = text_of(response)
        assert "Lambeth" not in page, url
        assert "lambeth-payroll" not in page, url

    posts = {
        **{f"/returns/{drafted.id}/{section}": data for section, data in SECTION_POSTS.items()},
        f"/returns/{drafted.id}/evidence": {"file": (io.BytesIO(PDF), "southampton.pdf")},
        f"/returns/{drafted.id}/evidence/{evidence.id}/delete": {},
        f"/returns/{own.id}/evidence/{evidence.id}/delete": {},
        f"/returns/{waiting.id}/check-answers": {"declared_by_name": "Mallory", "confirm": "y"},
        f"/organisation/allocations/{lambeth_allocation.id}/variations/end-date": {
            "planned_end": ["31", "3", "2023"],
            "reason": "Mischief",
        },
        f"/organisation/allocations/{lambeth_allocation.id}/variations/years": {
            "year_2020": "450000",
            "year_2021": "0",
            "reason": "Mischief",
        },
        f"/organisation/allocations/{lambeth_allocation.id}/variations/categories": {
            "staff": "450000",
            "delivery": "0",
            "overheads": "0",
            "capital": "0",
            "reason": "Mischief",
        },
        f"/variations/{variation.id}": {"decision": "approve", "note": ""},
    }
    if who == SOUTHAMPTON_CERTIFIER:
        posts[f"/returns/{waiting.id}/sign-off"] = {"decision": "sign-off"}
    for url, data in posts.items():
        response = outsider.client.post(
            url,
            data={"csrf_token": token, "version": str(drafted.version), **data},
            content_type="multipart/form-data",
        )
        assert response.status_code == 404, url
        assert "Lambeth" not in text_of(response), url

    assert (lambeth_state(transaction, drafted), lambeth_state(transaction, waiting)) == before
    assert (uploads / evidence.stored_name).read_bytes() == PDF

    # Lambeth's payment is not found, exactly like one that does not exist.
    lambeth_payment = outsider.get(f"/payments/{payment.id}")
    no_payment = outsider.get("/payments/999999")
    assert lambeth_payment.status_code == no_payment.status_code == 404
    assert text_of(lambeth_payment) == text_of(no_payment)
    assert "Lambeth" not in text_of(lambeth_payment)
    overview = outsider.get("/organisation")
    assert "Lambeth" not in text_of(overview)


def _lambeth_variation(session, lambeth_allocation) -> Variation:
    variation_service.request_variation(
        actor(session, LAMBETH_GRANTEE),
        lambeth_allocation,
        VariationKind.REPROFILE_YEARS,
        {"2020": 200_000_00, "2021": 250_000_00},
        "Recruitment started late",
    )
    return session.scalars(
        select(Variation).where(Variation.allocation_id == lambeth_allocation.id)
    ).one()


def _lambeth_payment(session, lambeth_allocation) -> Payment:
    last = session.scalars(
        select(Milestone)
        .join(Project, Milestone.project_id == Project.id)
        .where(Project.allocation_id == lambeth_allocation.id, Milestone.payment_pence.is_not(None))
    ).one()
    return payment_service.complete_milestone(actor(session, OFFICER), last, date(2022, 3, 31))
