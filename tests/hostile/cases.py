"""Every form the service takes (every endpoint that accepts a POST), with who may post it, the
thing it is about (set up afresh for each example, in the example's own savepoint), and a valid
answer to start from. A hostile test replaces some of that answer with hostile values.

The valid answer is read from the form page itself (every field, hidden ones included, as the
page would post it) and then overlaid with `answers`: what a careful person would type.
"""

import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from bs4 import BeautifulSoup
from sqlalchemy import select

from tests.conftest import (
    ADMIN,
    DEMO_PASSWORD,
    FINANCE,
    LAMBETH_GRANTEE,
    OFFICER,
    OFFICER_2,
    SOUTHAMPTON_GRANTEE,
    VIEWER,
    csrf_token_from,
)
from tracker.models import (
    Allocation,
    AllocationStatus,
    EvidenceFile,
    FundingStream,
    Milestone,
    MilestoneReturn,
    Organisation,
    Payment,
    PaymentStatus,
    Project,
    Rag,
    SpendCategory,
    User,
    Variation,
    VariationKind,
)
from tracker.models.base import utcnow

LAMBETH_CERTIFIER = "certifier@london-borough-of-lambeth.demo.org.uk"
LAMBETH_SWIS = "360G-HHT-DEMO-SWIS-LBH"
SOUTHAMPTON_SWIS = "360G-HHT-DEMO-SWIS-STH"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
IMPORT_CSV = (
    b"stream_code,organisation_org_id,title,amount,award_date,planned_start,planned_end\r\n"
    b"SWIS,GB-LAE-SKP,Hostile test grant,1000,2020-09-01,2020-09-01,2021-03-31\r\n"
)


def user(session, email: str) -> User:
    return session.scalars(select(User).where(User.email == email)).one()


def actor(session, email: str):
    from tracker.services.audit import Actor

    return Actor(user(session, email), "hostile-test")


def allocation(session, identifier: str) -> Allocation:
    return session.scalars(select(Allocation).where(Allocation.identifier == identifier)).one()


def first_return(session, identifier: str = LAMBETH_SWIS) -> MilestoneReturn:
    return session.scalars(
        select(MilestoneReturn)
        .join(Project, MilestoneReturn.project_id == Project.id)
        .where(Project.allocation_id == allocation(session, identifier).id)
        .order_by(MilestoneReturn.period_start, MilestoneReturn.id)
    ).first()


def paying_milestone(session, identifier: str = LAMBETH_SWIS) -> Milestone:
    return session.scalars(
        select(Milestone)
        .join(Project, Milestone.project_id == Project.id)
        .where(
            Project.allocation_id == allocation(session, identifier).id,
            Milestone.payment_pence.is_not(None),
        )
        .order_by(Milestone.id)
    ).first()


def complete_sections(session, milestone_return, email: str = LAMBETH_GRANTEE) -> None:
    from tracker.data import returns as return_data
    from tracker.services import returns as return_service

    who = actor(session, email)
    stream = milestone_return.project.allocation.stream
    return_service.save_spend(who, milestone_return, {SpendCategory.STAFF: 1_000_00})
    return_service.save_forecast(who, milestone_return, {})
    return_service.save_outputs(who, milestone_return, {i.id: 3 for i in stream.indicators})
    return_service.save_milestones(
        who,
        milestone_return,
        {m.id: (True, "Done") for m in return_data.milestones_due(milestone_return)},
    )
    return_service.save_narrative(who, milestone_return, narrative="On track", risks="")
    return_service.save_rag(who, milestone_return, Rag.GREEN)
    return_service.mark_evidence_done(who, milestone_return)


def awaiting_sign_off(session, identifier: str = LAMBETH_SWIS) -> MilestoneReturn:
    from tracker.services import returns as return_service

    milestone_return = first_return(session, identifier)
    grantee = LAMBETH_GRANTEE if identifier == LAMBETH_SWIS else SOUTHAMPTON_GRANTEE
    complete_sections(session, milestone_return, grantee)
    return_service.submit(actor(session, grantee), milestone_return, declared_by_name="Gail")
    session.flush()
    return milestone_return


def submitted(session, identifier: str = LAMBETH_SWIS) -> MilestoneReturn:
    from tracker.services import returns as return_service

    milestone_return = awaiting_sign_off(session, identifier)
    certifier = (
        LAMBETH_CERTIFIER
        if identifier == LAMBETH_SWIS
        else ("certifier@southampton-city-council.demo.org.uk")
    )
    return_service.sign_off(actor(session, certifier), milestone_return, approve=True)
    session.flush()
    return milestone_return


def sent_back(session, identifier: str = LAMBETH_SWIS) -> MilestoneReturn:
    from tracker.services import returns as return_service

    milestone_return = submitted(session, identifier)
    return_service.review(
        actor(session, OFFICER),
        milestone_return,
        approve=False,
        reasons="Say more about the schools",
        reviewer_rag=Rag.AMBER,
    )
    session.flush()
    return milestone_return


def payment(session, status: PaymentStatus, identifier: str = LAMBETH_SWIS) -> Payment:
    made = Payment(
        allocation_id=allocation(session, identifier).id,
        amount_pence=1_000_00,
        status=PaymentStatus.REQUESTED,
        requested_by_id=user(session, OFFICER).id,
        requested_at=utcnow(),
    )
    session.add(made)
    session.flush()
    if status == PaymentStatus.APPROVED:
        from tracker.services import payments as payment_service

        payment_service.approve(actor(session, FINANCE), made)
        session.flush()
    return made


def variation(session, identifier: str = LAMBETH_SWIS) -> Variation:
    from tracker.services import variations as variation_service

    grant = allocation(session, identifier)
    grantee = LAMBETH_GRANTEE if identifier == LAMBETH_SWIS else SOUTHAMPTON_GRANTEE
    return variation_service.request_variation(
        actor(session, grantee),
        grant,
        VariationKind.REPROFILE_YEARS,
        _moved_a_thousand_pounds_earlier({r.financial_year: r.amount_pence for r in grant.profile}),
        "Recruitment started late",
    )


def _moved_a_thousand_pounds_earlier(profile: dict[int, int]) -> dict[str, int]:
    first, last = min(profile), max(profile)
    moved = dict(profile)
    moved[first] += 1_000_00
    moved[last] -= 1_000_00
    return {str(year): pence for year, pence in moved.items()}


def short_allocation(session) -> Allocation:
    """An active Lambeth award ending 31 March 2021: it can still end later, within the
    stream's last year (2021-22)."""
    from tracker.data.store import save
    from tracker.services import allocations as allocation_service

    made = allocation_service.create_allocation(
        actor(session, OFFICER),
        stream=stream(session),
        organisation=organisation(session, "GB-LAE-LBH"),
        title="Extra school placements (hostile tests)",
        amount_pence=60_000_00,
        awarded_on=date(2020, 8, 1),
        planned_start=date(2020, 9, 1),
        planned_end=date(2021, 3, 31),
        profile={2020: 60_000_00},
    )
    save(Project(allocation_id=made.id, title="Extra placements"))
    for action in ("offer", "accept", "activate"):
        allocation_service.change_status(
            actor(session, OFFICER_2),
            made,
            action,
            second_approval_threshold_pence=100_000_00,
            working_days_to_report=20,
        )
    session.flush()
    return made


def evidence_file(session, folder, identifier: str = LAMBETH_SWIS) -> EvidenceFile:
    from tracker.services import evidence as evidence_service

    milestone_return = first_return(session, identifier)
    grantee = LAMBETH_GRANTEE if identifier == LAMBETH_SWIS else SOUTHAMPTON_GRANTEE
    evidence_service.add_file(
        actor(session, grantee),
        milestone_return,
        filename="register.pdf",
        content=PDF,
        folder=folder,
        max_bytes=10 * 1024 * 1024,
    )
    session.flush()
    return milestone_return.evidence[-1]


def stream(session, code: str = "SWIS") -> FundingStream:
    return session.scalars(select(FundingStream).where(FundingStream.code == code)).one()


def organisation(session, org_id: str) -> Organisation:
    return session.scalars(select(Organisation).where(Organisation.org_id == org_id)).one()


def draft_allocation(session) -> Allocation:
    return session.scalars(
        select(Allocation)
        .where(Allocation.status == AllocationStatus.DRAFT)
        .order_by(Allocation.id)
    ).first()


# --- the table -------------------------------------------------------------------------------


@dataclass
class Context:
    """What a case's set-up may use: the session, the signed-in visitor, the upload folder."""

    session: object
    visitor: object
    upload_folder: object


@dataclass
class Case:
    endpoint: str
    who: str | None  # the email of a user who may post it; None for anyone
    # The URL's values (and set-up of the thing it is about), for this user's own organisation.
    values: Callable[[Context], dict]
    answers: dict = field(default_factory=dict)
    # How to answer fields made from the data (a period's forecast, an indicator), by prefix.
    answer_prefixes: dict = field(default_factory=dict)
    # What kind of value each field holds, for the hostile strategy (text when not listed).
    kinds: dict = field(default_factory=dict)
    # The page the form is on, when it is not the URL posted to (from the URL's values).
    form_page: Callable[[dict], str] | None = None
    upload: str | None = None  # the name of the file field, for multipart forms
    # Tables a refusal may still write (sign-in counts refused attempts, by design).
    refusal_writes: frozenset = frozenset()
    # The same values for another organisation's thing (a grantee's form): must be a 404.
    others: Callable[[Context], dict] | None = None
    others_who: str | None = None  # who tries that, when not `who` (a grantee)


def _date(day: date) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


def _ids(**values):
    return lambda ctx: {name: make(ctx.session) for name, make in values.items()}


def _return_id(make, identifier=LAMBETH_SWIS):
    return lambda ctx: {"return_id": make(ctx.session, identifier).id}


def _ret(session, identifier):
    return first_return(session, identifier)


def _upload_import(ctx: Context) -> dict:
    response = ctx.visitor.client.post(
        "/allocations/import",
        data={
            "csrf_token": csrf_token_from(ctx.visitor.get("/allocations/import")),
            "file": (io.BytesIO(IMPORT_CSV), "allocations.csv"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return {"import_id": int(re.search(r"/import/(\d+)", response.headers["Location"]).group(1))}


def _evidence(ctx: Context, identifier=LAMBETH_SWIS) -> dict:
    kept = evidence_file(ctx.session, ctx.upload_folder, identifier)
    return {"return_id": kept.return_id, "file_id": kept.id}


FUTURE = date(2030, 1, 15)

CASES: list[Case] = [
    Case(
        "auth.sign_in",
        None,
        lambda ctx: {},
        answers={"email": OFFICER, "password": DEMO_PASSWORD},
        refusal_writes=frozenset({"sign_in_attempt", "audit_event"}),
    ),
    Case("auth.sign_out", OFFICER, lambda ctx: {}, form_page=lambda v: "/home"),
    Case(
        "streams.new_stream",
        OFFICER,
        lambda ctx: {},
        answers={
            "code": "HOSTILE1",
            "name": "A stream made by the hostile tests",
            "announced": "1000",
            "announced_on": ["1", "4", "2020"],
            "first_year": "2020",
            "last_year": "2021",
            "reporting_frequency": "quarterly",
        },
        kinds={"announced": "money", "announced_on": "date", "department": "id"},
    ),
    Case(
        "streams.edit_stream",
        OFFICER,
        lambda ctx: {"stream_id": stream(ctx.session).id},
        answers={"announced_on": ["21", "5", "2020"], "name": "Social workers in schools (edit)"},
        kinds={"announced": "money", "announced_on": "date", "department": "id"},
    ),
    Case(
        "streams.set_budget",
        OFFICER,
        lambda ctx: {"stream_id": stream(ctx.session).id},
        answers={"financial_year": "2020", "resource": "99999999", "capital": "0"},
        kinds={"resource": "money", "capital": "money", "financial_year": "number"},
    ),
    Case(
        "organisations.new_organisation",
        OFFICER,
        lambda ctx: {},
        answers={
            "name": "Hostile Tests Charity",
            "type": "charity",
            "org_id": "GB-CHC-1234567",
            "region": "London",
        },
    ),
    Case(
        "organisations.edit_organisation",
        OFFICER,
        lambda ctx: {"organisation_id": organisation(ctx.session, "GB-LAE-LBH").id},
        answers={"name": "London Borough of Lambeth (edited)"},
    ),
    Case(
        "allocations.new_allocation",
        OFFICER,
        lambda ctx: {"stream_id": stream(ctx.session).id},
        answers={
            "title": "A grant made by the hostile tests",
            "amount": "1000",
            "awarded_on": ["1", "9", "2020"],
            "planned_start": ["1", "9", "2020"],
            "planned_end": ["31", "3", "2021"],
        },
        answer_prefixes={"organisation": None},
        kinds={
            "amount": "money",
            "awarded_on": "date",
            "planned_start": "date",
            "planned_end": "date",
            "organisation": "id",
            "year_2020": "money",
            "year_2021": "money",
            "version": "version",
        },
    ),
    Case(
        "allocations.edit_allocation",
        OFFICER,
        lambda ctx: {"allocation_id": draft_allocation(ctx.session).id},
        answers={"title": "An edited draft"},
        kinds={
            "amount": "money",
            "awarded_on": "date",
            "planned_start": "date",
            "planned_end": "date",
            "organisation": "id",
            "year_2020": "money",
            "version": "version",
        },
    ),
    Case(
        "allocations.change_status",
        OFFICER,
        lambda ctx: {"allocation_id": draft_allocation(ctx.session).id},
        answers={"action": "withdraw", "reason": "Made in error"},
    ),
    Case(
        "imports.upload",
        OFFICER,
        lambda ctx: {},
        answers={"file": (IMPORT_CSV, "allocations.csv")},
        upload="file",
    ),
    Case(
        "imports.confirm",
        OFFICER,
        _upload_import,
        form_page=lambda v: (f"/allocations/import/{v['import_id']}"),
    ),
    Case(
        "admin.new_user",
        ADMIN,
        lambda ctx: {},
        answers={
            "name": "Hostile Tester",
            "email": "hostile.tester@demo.gov.uk",
            "role": "officer",
            "password": "a long enough password",
            "organisation": "",
            "active": "y",
        },
        kinds={"organisation": "id"},
    ),
    Case(
        "admin.edit_user",
        ADMIN,
        lambda ctx: {"user_id": user(ctx.session, VIEWER).id},
        answers={"name": "Vera Viewer (edited)"},
        kinds={"organisation": "id"},
    ),
    Case(
        "returns.spend",
        LAMBETH_GRANTEE,
        _return_id(_ret),
        answers={"staff": "100", "delivery": "0", "overheads": "0", "capital": "0"},
        kinds={f: "money" for f in ("staff", "delivery", "overheads", "capital")}
        | {"version": "version"},
        others=_return_id(_ret, SOUTHAMPTON_SWIS),
    ),
    Case(
        "returns.forecast",
        LAMBETH_GRANTEE,
        _return_id(_ret),
        answer_prefixes={"period_": "100"},
        kinds={"period_": "money", "version": "version"},
        others=_return_id(_ret, SOUTHAMPTON_SWIS),
    ),
    Case(
        "returns.outputs",
        LAMBETH_GRANTEE,
        _return_id(_ret),
        answer_prefixes={"indicator_": "3"},
        kinds={"indicator_": "number", "version": "version"},
        others=_return_id(_ret, SOUTHAMPTON_SWIS),
    ),
    Case(
        "returns.milestones",
        LAMBETH_GRANTEE,
        _return_id(_ret),
        answer_prefixes={"completed_": "yes", "note_": "Going well"},
        kinds={"version": "version"},
        others=_return_id(_ret, SOUTHAMPTON_SWIS),
    ),
    Case(
        "returns.narrative",
        LAMBETH_GRANTEE,
        _return_id(_ret),
        answers={"narrative": "Six schools have a social worker", "risks": "Recruitment"},
        kinds={"version": "version"},
        others=_return_id(_ret, SOUTHAMPTON_SWIS),
    ),
    Case(
        "returns.rag",
        LAMBETH_GRANTEE,
        _return_id(_ret),
        answers={"rag": "green"},
        kinds={"version": "version"},
        others=_return_id(_ret, SOUTHAMPTON_SWIS),
    ),
    Case(
        "returns.response",
        LAMBETH_GRANTEE,
        _return_id(sent_back),
        answers={"response": "We have added the schools' names"},
        kinds={"version": "version"},
        others=_return_id(sent_back, SOUTHAMPTON_SWIS),
    ),
    Case(
        "returns.check_answers",
        LAMBETH_GRANTEE,
        lambda ctx: _completed(ctx, LAMBETH_SWIS, LAMBETH_GRANTEE),
        answers={"declared_by_name": "Gail Grantee", "confirm": "y"},
        kinds={"version": "version"},
        others=lambda ctx: _completed(ctx, SOUTHAMPTON_SWIS, SOUTHAMPTON_GRANTEE),
    ),
    Case(
        "returns.sign_off",
        LAMBETH_CERTIFIER,
        _return_id(awaiting_sign_off),
        answers={"decision": "sign-off"},
        kinds={"version": "version"},
        others=_return_id(awaiting_sign_off, SOUTHAMPTON_SWIS),
    ),
    Case(
        "returns.review",
        OFFICER,
        _return_id(submitted),
        answers={"decision": "approve", "reviewer_rag": "green"},
        kinds={"version": "version"},
    ),
    Case(
        "returns.due_date",
        OFFICER,
        _return_id(_ret),
        answers={"due_on": _date(FUTURE), "reason": "The council asked for longer"},
        kinds={"due_on": "date", "version": "version"},
    ),
    Case(
        "evidence.manage",
        LAMBETH_GRANTEE,
        _return_id(_ret),
        answers={"file": (PDF, "register.pdf")},
        kinds={"version": "version"},
        upload="file",
        others=_return_id(_ret, SOUTHAMPTON_SWIS),
    ),
    Case(
        "evidence.mark_done",
        LAMBETH_GRANTEE,
        _return_id(_ret),
        kinds={"done-version": "version"},
        form_page=lambda v: f"/returns/{v['return_id']}/evidence",
        others=_return_id(_ret, SOUTHAMPTON_SWIS),
    ),
    Case(
        "evidence.remove",
        LAMBETH_GRANTEE,
        _evidence,
        form_page=lambda v: f"/returns/{v['return_id']}/evidence",
        others=lambda ctx: _evidence(ctx, SOUTHAMPTON_SWIS),
    ),
    Case(
        "payments.approve",
        FINANCE,
        lambda ctx: {"payment_id": payment(ctx.session, PaymentStatus.REQUESTED).id},
        kinds={"version": "version"},
        form_page=lambda v: f"/payments/{v['payment_id']}",
    ),
    Case(
        "payments.mark_paid",
        FINANCE,
        lambda ctx: {"payment_id": payment(ctx.session, PaymentStatus.APPROVED).id},
        answers={"paid_on": _date(date.today()), "reference": "BACS-0001"},
        kinds={"paid_on": "date", "version": "version"},
    ),
    Case(
        "payments.hold",
        FINANCE,
        lambda ctx: {"payment_id": payment(ctx.session, PaymentStatus.REQUESTED).id},
        answers={"reason": "Waiting for the council's bank details"},
        kinds={"version": "version"},
    ),
    Case(
        "payments.complete_milestone",
        OFFICER,
        lambda ctx: {"milestone_id": paying_milestone(ctx.session).id},
        answers={"completed_on": _date(date(2021, 3, 31))},
        kinds={"completed_on": "date"},
    ),
    Case(
        "variations.request_years",
        LAMBETH_GRANTEE,
        lambda ctx: {"allocation_id": allocation(ctx.session, LAMBETH_SWIS).id},
        answers={"reason": "Recruitment started late"},
        kinds={"year_2020": "money", "year_2021": "money"},
        others=lambda ctx: {"allocation_id": allocation(ctx.session, SOUTHAMPTON_SWIS).id},
    ),
    Case(
        "variations.request_categories",
        LAMBETH_GRANTEE,
        lambda ctx: {"allocation_id": allocation(ctx.session, LAMBETH_SWIS).id},
        answers={
            "reason": "More staff, less delivery",
            "staff": "450000",
            "delivery": "0",
            "overheads": "0",
            "capital": "0",
        },
        kinds={f: "money" for f in ("staff", "delivery", "overheads", "capital")},
        others=lambda ctx: {"allocation_id": allocation(ctx.session, SOUTHAMPTON_SWIS).id},
    ),
    Case(
        "variations.request_end_date",
        LAMBETH_GRANTEE,
        lambda ctx: {"allocation_id": short_allocation(ctx.session).id},
        answers={"planned_end": ["31", "3", "2022"], "reason": "Schools closed for a term"},
        kinds={"planned_end": "date"},
        others=lambda ctx: {"allocation_id": allocation(ctx.session, SOUTHAMPTON_SWIS).id},
    ),
    Case(
        "variations.view_variation",
        OFFICER,
        lambda ctx: {"variation_id": variation(ctx.session).id},
        answers={"decision": "refuse", "note": "Not this year"},
        others=lambda ctx: {"variation_id": variation(ctx.session, SOUTHAMPTON_SWIS).id},
        others_who=LAMBETH_GRANTEE,
    ),
]


def _completed(ctx: Context, identifier: str, email: str) -> dict:
    milestone_return = first_return(ctx.session, identifier)
    complete_sections(ctx.session, milestone_return, email)
    ctx.session.flush()
    return {"return_id": milestone_return.id}


BY_ENDPOINT = {case.endpoint: case for case in CASES}


# --- reading the form a page shows ------------------------------------------------------------


def form_on(page_html: str, action: str) -> dict[str, list[str]]:
    """What the page's POST form for `action` would send as it stands: every input, select and
    textarea, by name (a name used more than once, like a date's parts, keeps each value)."""
    soup = BeautifulSoup(page_html, "html.parser")
    forms = soup.find_all("form", method=re.compile("post", re.I))
    chosen = [f for f in forms if (f.get("action") or "") == action]
    if not chosen:
        chosen = [f for f in forms if not f.get("action")]
    assert chosen, f"no form posting to {action} on the page"
    values: dict[str, list[str]] = {}
    for control in chosen[0].find_all(["input", "select", "textarea"]):
        name = control.get("name")
        if not name:
            continue
        if control.name == "select":
            chosen_option = control.find("option", selected=True) or control.find("option")
            values.setdefault(name, []).append(
                chosen_option.get("value", "") if chosen_option else ""
            )
        elif control.name == "textarea":
            values.setdefault(name, []).append(control.get_text())
        elif control.get("type") in {"checkbox", "radio"}:
            values.setdefault(name, [])
            if control.has_attr("checked"):
                values[name].append(control.get("value", "y"))
        elif control.get("type") == "file":
            values.setdefault(name, [])
        else:
            values.setdefault(name, []).append(control.get("value", ""))
    return values


def options_on(page_html: str, name: str) -> list[str]:
    """The values a select or radio group offers."""
    soup = BeautifulSoup(page_html, "html.parser")
    select_tag = soup.find("select", attrs={"name": name})
    if select_tag is not None:
        return [o.get("value", "") for o in select_tag.find_all("option")]
    return [r.get("value") for r in soup.find_all("input", attrs={"name": name, "type": "radio"})]
