"""Every form the service takes (every endpoint that accepts a POST), with who may post it, the
thing it is about (set up through the services, in the test's own transaction), and a valid
answer to start from. A hostile test replaces some of that answer with hostile values.

The valid answer is read from the form page itself (every field, hidden ones included, as the
page would post it) and then overlaid with `answers`: what a careful person would type.
"""

import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from tests.conftest import (
    ADMIN,
    DEMO_PASSWORD,
    FINANCE,
    FINANCE_2,
    LAMBETH_GRANTEE,
    OFFICER,
    SOUTHAMPTON_GRANTEE,
    VIEWER,
    csrf_token_from,
)
from tests.hostile.things import (
    IMPORT_CSV,
    LAMBETH_CERTIFIER,
    LAMBETH_SWIS,
    PDF,
    SOUTHAMPTON_SWIS,
    allocation,
    awaiting_sign_off,
    complete_sections,
    draft_allocation,
    evidence_file,
    final_return_submitted,
    first_return,
    offered_allocation,
    organisation,
    paying_milestone,
    payment,
    proposed_payee,
    recovery,
    sent_back,
    short_allocation,
    stream,
    submitted,
    user,
    variation,
)
from tracker.models import PaymentStatus

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
    # Answers that only the page can give (a code for the key it shows), from its HTML.
    answers_from_page: Callable[[str], dict] | None = None
    # The heading of the check-your-answers page a good answer leads to before it is stored.
    check_page: str | None = None


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
# A second factor the tests turn on for the finance officer: base32, as the service makes them.
KNOWN_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def _code_for(secret: str) -> str:
    from tracker.infrastructure import clock
    from tracker.services import two_factor

    return two_factor.code_at(secret, clock.now())


def _code_for_the_key_shown(page_html: str) -> dict:
    key = re.search(r'id="secret-key">([^<]+)<', page_html).group(1)
    return {"code": _code_for("".join(key.split()))}


def _with_two_factor(session, email: str):
    person = user(session, email)
    person.totp_secret, person.totp_last_step = KNOWN_SECRET, None
    session.commit()
    return person


def _waiting_for_a_code(ctx: Context) -> dict:
    """The finance officer, with a second factor, has given their password: the code is next."""
    _with_two_factor(ctx.session, FINANCE)
    response = ctx.visitor.post("/sign-in", {"email": FINANCE, "password": DEMO_PASSWORD})
    assert response.headers["Location"].startswith("/sign-in/two-factor"), response.status_code
    return {}


def _link_token(session, row) -> str:
    """A real link's token for a reset or an invitation row, stored (as the service does) only
    as its hash."""
    import hashlib
    import secrets

    token = secrets.token_urlsafe(32)
    row.token_hash = hashlib.sha256(token.encode()).hexdigest()
    session.add(row)
    session.commit()
    return token


def _reset_link(ctx: Context) -> dict:
    from tracker.models import PasswordReset
    from tracker.models.base import utcnow

    row = PasswordReset(
        user_id=user(ctx.session, OFFICER).id,
        created_at=utcnow(),
        expires_at=utcnow() + timedelta(hours=1),
    )
    return {"token": _link_token(ctx.session, row)}


def _invitation(session, org_id: str, invited_by: str, email: str):
    from tracker.models import Invitation, Role
    from tracker.models.base import utcnow

    row = Invitation(
        email=email,
        name="Ivy Invited",
        role=Role.GRANTEE,
        organisation_id=organisation(session, org_id).id,
        invited_by_id=user(session, invited_by).id,
        created_at=utcnow(),
        expires_at=utcnow() + timedelta(days=7),
    )
    return row, _link_token(session, row)


def _invitation_id(org_id: str, invited_by: str):
    def make(ctx: Context) -> dict:
        row, _ = _invitation(ctx.session, org_id, invited_by, f"ivy@{org_id.lower()}.example")
        return {"invitation_id": row.id}

    return make


def _invitation_link(ctx: Context) -> dict:
    _, token = _invitation(ctx.session, "GB-LAE-LBH", LAMBETH_GRANTEE, "ivy@lambeth.example")
    return {"token": token}


def _colleague(org_id: str):
    def make(ctx: Context) -> dict:
        from tracker.models import Role, User

        person = User(
            email=f"colleague@{org_id.lower()}.example",
            name="Col League",
            password_hash="not a hash anyone can match",
            role=Role.GRANTEE,
            organisation_id=organisation(ctx.session, org_id).id,
        )
        ctx.session.add(person)
        ctx.session.commit()
        return {"user_id": person.id}

    return make


def _own_token(email: str):
    def make(ctx: Context) -> dict:
        from tracker.services import api_tokens
        from tracker.services.audit import Actor

        token, _ = api_tokens.create(
            Actor(user(ctx.session, email), "test"), name="To revoke", days=30
        )
        ctx.session.flush()
        return {"token_id": token.id}

    return make


CASES: list[Case] = [
    Case(
        "account.api_tokens_page",
        OFFICER,
        lambda ctx: {},
        answers={"name": "Quarterly spend", "days": "90"},
    ),
    Case(
        "account.revoke_api_token",
        LAMBETH_GRANTEE,
        _own_token(LAMBETH_GRANTEE),
        form_page=lambda v: "/account/api-tokens",
        others=_own_token(SOUTHAMPTON_GRANTEE),
    ),
    Case(
        "auth.sign_in",
        None,
        lambda ctx: {},
        answers={"email": OFFICER, "password": DEMO_PASSWORD},
        refusal_writes=frozenset({"sign_in_attempt", "sign_in_throttle", "audit_event"}),
    ),
    Case("auth.sign_out", OFFICER, lambda ctx: {}, form_page=lambda v: "/home"),
    Case(
        "account.sign_out_everywhere",
        OFFICER,
        lambda ctx: {},
        form_page=lambda v: "/account/sessions",
    ),
    Case(
        "auth.forgotten_password",
        None,
        lambda ctx: {},
        answers={"email": OFFICER},
        refusal_writes=frozenset({"sign_in_throttle"}),
    ),
    Case(
        "auth.reset_password",
        None,
        _reset_link,
        answers={
            "new_password": "violet tractor harbour",
            "confirm_password": "violet tractor harbour",
        },
    ),
    Case(
        "team.accept_invitation",
        None,
        _invitation_link,
        answers={
            "new_password": "violet tractor harbour",
            "confirm_password": "violet tractor harbour",
        },
    ),
    Case(
        "team.resend_invitation",
        LAMBETH_GRANTEE,
        _invitation_id("GB-LAE-LBH", LAMBETH_GRANTEE),
        form_page=lambda v: "/team",
        others=_invitation_id("GB-LAE-STH", SOUTHAMPTON_GRANTEE),
    ),
    Case(
        "team.cancel_invitation",
        LAMBETH_GRANTEE,
        _invitation_id("GB-LAE-LBH", LAMBETH_GRANTEE),
        form_page=lambda v: "/team",
        others=_invitation_id("GB-LAE-STH", SOUTHAMPTON_GRANTEE),
    ),
    Case(
        "team.remove_colleague",
        LAMBETH_GRANTEE,
        _colleague("GB-LAE-LBH"),
        form_page=lambda v: "/team",
        others=_colleague("GB-LAE-STH"),
    ),
    Case(
        "team.change_lead",
        OFFICER,
        lambda ctx: {"user_id": user(ctx.session, LAMBETH_GRANTEE).id},
        form_page=lambda v: "/team",
    ),
    Case(
        "auth.two_factor",
        None,
        _waiting_for_a_code,
        answers_from_page=lambda html: {"code": _code_for(KNOWN_SECRET)},
        kinds={"code": "number"},
        refusal_writes=frozenset({"sign_in_attempt", "sign_in_throttle", "audit_event"}),
    ),
    Case(
        "account.change_password",
        OFFICER,
        lambda ctx: {},
        answers={
            "current_password": DEMO_PASSWORD,
            "new_password": "a kettle of otters on the stairs",
            "confirm_password": "a kettle of otters on the stairs",
        },
        refusal_writes=frozenset({"sign_in_attempt", "sign_in_throttle", "audit_event"}),
    ),
    Case(
        "account.set_up_two_factor",
        OFFICER,
        lambda ctx: {},
        answers_from_page=_code_for_the_key_shown,
        kinds={"code": "number"},
    ),
    Case(
        "admin.turn_off_two_factor",
        ADMIN,
        lambda ctx: {"user_id": _with_two_factor(ctx.session, FINANCE).id},
    ),
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
            "outturn_margin": "5",
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
        "streams.conditions",
        OFFICER,
        lambda ctx: {"stream_id": stream(ctx.session).id},
        answers={"conditions": "A condition the hostile tests set\nAnd a second"},
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
        "organisations.propose_payee",
        OFFICER,
        lambda ctx: {"organisation_id": organisation(ctx.session, "GB-LAE-LBH").id},
        answers={
            "account_name": "London Borough of Lambeth",
            "sort_code": "30-94-57",
            "account_number": "00733445",
        },
    ),
    Case(
        "organisations.confirm_payee",
        FINANCE,
        lambda ctx: {"organisation_id": proposed_payee(ctx.session).organisation_id},
        answers={"sort_code": "309457", "account_number": "00733445"},
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
        "delivery.new_project",
        OFFICER,
        lambda ctx: {"allocation_id": draft_allocation(ctx.session).id},
        answers={
            "title": "A project made by the hostile tests",
            "summary": "Support for children",
            "intervention_type": "Mentoring",
            "evidence_rating": "promising",
            "location": "Lambeth",
        },
    ),
    Case(
        "delivery.set_targets",
        OFFICER,
        lambda ctx: {"project_id": paying_milestone(ctx.session).project_id},
        answer_prefixes={"indicator_": "30"},
    ),
    Case(
        "delivery.new_milestone",
        OFFICER,
        lambda ctx: {"project_id": paying_milestone(ctx.session).project_id},
        answers={
            "title": "Second school placed",
            "due_on": _date(date(2020, 12, 1)),
            "payment": "2500",
        },
        kinds={"due_on": "date", "payment": "money"},
    ),
    Case(
        "delivery.set_schedule",
        OFFICER,
        lambda ctx: {"allocation_id": draft_allocation(ctx.session).id},
        answers={"first_period_start": _date(date(2020, 10, 1)), "due_working_days": "15"},
        kinds={"first_period_start": "date", "due_working_days": "number"},
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
        "team.invite",
        ADMIN,
        lambda ctx: {},
        answers={
            "name": "Hostile Tester",
            "email": "hostile.tester@demo.gov.uk",
            "role": "officer",
            "organisation": "",
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
        "grantee.offer",
        LAMBETH_CERTIFIER,
        lambda ctx: {"allocation_id": offered_allocation(ctx.session).id},
        answers={"name": "Chris Certifier", "job_title": "Director of finance", "declaration": "y"},
        others=lambda ctx: {"allocation_id": offered_allocation(ctx.session, "GB-LAE-STH").id},
        others_who=LAMBETH_CERTIFIER,
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
        form_page=lambda v: f"/payments/{v['payment_id']}/approve",
    ),
    Case(
        "payments.mark_paid",
        FINANCE,
        lambda ctx: {"payment_id": payment(ctx.session, PaymentStatus.APPROVED).id},
        answers={"paid_on": _date(date.today()), "reference": "BACS-0001", "confirmed": "yes"},
        check_page="Check before you record the payment as paid",
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
        "closure.final_return",
        LAMBETH_GRANTEE,
        lambda ctx: {"allocation_id": allocation(ctx.session, LAMBETH_SWIS).id},
        answers={
            "eligible_spend": "100000",
            "lessons": "Start recruiting earlier",
            "evidence": "The statement of grant expenditure",
        },
        answer_prefixes={"target_": "10"},
        kinds={"eligible_spend": "money", "target_": "number"},
        others=lambda ctx: {"allocation_id": allocation(ctx.session, SOUTHAMPTON_SWIS).id},
    ),
    Case(
        "closure.review",
        OFFICER,
        lambda ctx: {"allocation_id": final_return_submitted(ctx.session).id},
        answers={"decision": "send_back", "reasons": "Add the evidence"},
        kinds={"due_on": "date", "version": "version"},
    ),
    Case(
        "closure.receipt",
        FINANCE,
        lambda ctx: {"recovery_id": recovery(ctx.session).id},
        answers={"amount": "100", "received_on": _date(date(2024, 1, 31)), "reference": "BACS"},
        kinds={"amount": "money", "received_on": "date", "version": "version"},
    ),
    Case(
        "closure.write_off",
        FINANCE,
        lambda ctx: {"recovery_id": recovery(ctx.session).id},
        answers={"reason": "The charity has closed"},
        kinds={"version": "version"},
    ),
    Case(
        "closure.write_off_decision",
        FINANCE,
        lambda ctx: {"recovery_id": recovery(ctx.session, write_off_by=FINANCE_2).id},
        answers={"decision": "refuse"},
        kinds={"version": "version"},
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
