"""Email: every message goes to the outbox first, in the same transaction as the change it
reports, and is sent from there through SMTP when MAIL_SERVER is set. Tested against a real SMTP
server (aiosmtpd on 127.0.0.1), started and stopped by a fixture: submissions and reviews reach
the other side, reminders and digests go once a day, a message survives the server being down,
and with no MAIL_SERVER the outbox is the whole story, readable by the administrator."""

import email
import email.policy
import socket
from collections import Counter

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from tests.conftest import (
    ADMIN,
    FINANCE,
    LAMBETH_GRANTEE,
    OFFICER,
    OFFICER_2,
    SOUTHAMPTON_GRANTEE,
    VIEWER,
    Browser,
    PageCheckingClient,
    build_app,
    migrate_and_seed,
    text_of,
)
from tracker.models import (
    Allocation,
    MilestoneReturn,
    Organisation,
    OutboxMessage,
    Project,
    Rag,
    ReturnStatus,
    SpendCategory,
    User,
)

SOUTHAMPTON_CERTIFIER = "certifier@southampton-city-council.demo.org.uk"
LAMBETH_CERTIFIER = "certifier@london-borough-of-lambeth.demo.org.uk"
MAIL_FROM = "grants-tracker@example.gov.uk"
# Organisations with active demo allocations (so returns): Lambeth, Southampton and the
# eleven councils of the Trusted Relationship Fund.
ORGANISATIONS_WITH_RETURNS = [
    "london-borough-of-lambeth",
    "southampton-city-council",
    "birmingham-city-council",
    "manchester-city-council",
    "leeds-city-council",
    "bristol-city-council",
    "liverpool-city-council",
    "newcastle-city-council",
    "sheffield-city-council",
    "nottingham-city-council",
    "leicester-city-council",
    "kent-county-council",
    "norfolk-county-council",
]

# --- a real SMTP server ----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Collector:
    """An aiosmtpd handler that keeps every envelope it is given."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


class MailServer:
    def __init__(self, port: int):
        self.port = port
        self.handler = Collector()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def envelopes(self) -> list:
        return list(self.handler.envelopes)

    def received(self, since: int = 0) -> list[tuple[str, str]]:
        """(recipient, subject) for each envelope from the `since`-th on."""
        found = []
        for envelope in self.envelopes[since:]:
            message = email.message_from_bytes(envelope.content, policy=email.policy.default)
            for recipient in envelope.rcpt_tos:
                found.append((recipient, str(message["Subject"])))
        return sorted(found)

    def message(self, index: int):
        return email.message_from_bytes(self.envelopes[index].content, policy=email.policy.default)


@pytest.fixture
def mail_server():
    server = MailServer(free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mail_app(make_database, mail_server):
    """A fresh, seeded app of its own (real commits) that sends through the test server."""
    from tracker.extensions import db

    application = build_app(
        make_database(), MAIL_SERVER="127.0.0.1", MAIL_PORT=mail_server.port, MAIL_FROM=MAIL_FROM
    )
    application.test_client_class = PageCheckingClient
    migrate_and_seed(application)
    yield application
    with application.app_context():
        db.engine.dispose()


# --- helpers ---------------------------------------------------------------------------------


def user(email_address: str) -> User:
    from tracker.extensions import db

    return db.session.scalars(select(User).where(User.email == email_address)).one()


def actor(email_address: str):
    from tracker.services.audit import Actor

    return Actor(user(email_address), "test")


def first_return(org_id: str) -> MilestoneReturn:
    from tracker.extensions import db

    return db.session.scalars(
        select(MilestoneReturn)
        .join(Project, MilestoneReturn.project_id == Project.id)
        .join(Allocation, Project.allocation_id == Allocation.id)
        .join(Organisation, Allocation.organisation_id == Organisation.id)
        .where(Organisation.org_id == org_id)
        .order_by(MilestoneReturn.period_start)
    ).first()


def complete_every_section(milestone_return: MilestoneReturn, grantee_email: str) -> None:
    from tracker.data import returns as return_data
    from tracker.services import returns as return_service

    grantee = actor(grantee_email)
    return_service.save_spend(grantee, milestone_return, {SpendCategory.STAFF: 4_000_00})
    return_service.save_forecast(grantee, milestone_return, {})
    return_service.save_outputs(
        grantee,
        milestone_return,
        {i.id: 2 for i in milestone_return.project.allocation.stream.indicators},
    )
    return_service.save_milestones(
        grantee,
        milestone_return,
        {m.id: (True, "Done") for m in return_data.milestones_due(milestone_return)},
    )
    return_service.save_narrative(grantee, milestone_return, narrative="Good progress", risks="")
    return_service.save_rag(grantee, milestone_return, Rag.GREEN)
    return_service.mark_evidence_done(grantee, milestone_return)


def awaiting_sign_off(org_id: str, grantee_email: str) -> int:
    """Completes and submits an organisation's first return (it then waits for the certifier);
    the caller commits."""
    from tracker.services import returns as return_service

    milestone_return = first_return(org_id)
    complete_every_section(milestone_return, grantee_email)
    return_service.submit(actor(grantee_email), milestone_return, declared_by_name="Gail Grantee")
    assert milestone_return.status == ReturnStatus.AWAITING_SIGN_OFF
    return milestone_return.id


def version_on(response) -> str:
    from bs4 import BeautifulSoup

    field = BeautifulSoup(response.get_data(as_text=True), "html.parser").find(
        "input", attrs={"name": "version"}
    )
    return field["value"]


def post_with_version(visitor: Browser, url: str, data: dict):
    return visitor.post(url, {**data, "version": version_on(visitor.get(url))})


def signed_in_to(application, email_address: str) -> Browser:
    visitor = Browser(application.test_client())
    assert visitor.sign_in(email_address).status_code == 302
    return visitor


def outbox() -> list[OutboxMessage]:
    from tracker.extensions import db

    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


# --- sending through SMTP --------------------------------------------------------------------


def test_a_submission_and_its_review_are_emailed_to_the_other_side_and_marked_sent(
    mail_app, mail_server
):
    from tracker.extensions import db

    with mail_app.app_context():
        milestone_return = first_return("GB-LAE-STH")
        return_id = milestone_return.id
        complete_every_section(milestone_return, SOUTHAMPTON_GRANTEE)
        db.session.commit()
    grantee = signed_in_to(mail_app, SOUTHAMPTON_GRANTEE)

    submitted = post_with_version(
        grantee,
        f"/returns/{return_id}/check-answers",
        {"declared_by_name": "Gail Grantee", "confirm": "y"},
    )

    assert submitted.status_code == 302
    assert mail_server.received() == [
        (SOUTHAMPTON_CERTIFIER, "A return is waiting for your sign-off")
    ]
    sent = mail_server.message(0)
    assert sent["From"] == MAIL_FROM
    assert sent["To"] == SOUTHAMPTON_CERTIFIER
    assert "Southampton City Council" in sent.get_content()

    signed_off = post_with_version(
        signed_in_to(mail_app, SOUTHAMPTON_CERTIFIER),
        f"/returns/{return_id}/sign-off",
        {"decision": "sign-off"},
    )

    assert signed_off.status_code == 302
    assert mail_server.received(since=1) == sorted(
        [(OFFICER, "A return has been submitted"), (OFFICER_2, "A return has been submitted")]
    )

    reviewed = post_with_version(
        signed_in_to(mail_app, OFFICER),
        f"/returns/{return_id}/review",
        {"decision": "send-back", "reviewer_rag": "amber", "reasons": "Add the invoices"},
    )

    assert reviewed.status_code == 302
    assert mail_server.received(since=3) == [
        (SOUTHAMPTON_CERTIFIER, "Your return needs changes"),
        (SOUTHAMPTON_GRANTEE, "Your return needs changes"),
    ]
    assert "Add the invoices" in mail_server.message(3).get_content()
    with mail_app.app_context():
        messages = outbox()
        assert len(messages) == 5 == len(mail_server.envelopes)
        for message in messages:
            assert message.sent_at is not None
            assert (message.attempts, message.last_error) == (1, "")


def test_send_reminders_emails_grantees_with_returns_due_soon_or_overdue_and_officers_a_digest(
    mail_app, mail_server
):
    from tracker.extensions import db

    with mail_app.app_context():
        # Leeds has sent in its July to September return: nothing to remind them of for it.
        first_return("GB-LAE-LDS").status = ReturnStatus.SUBMITTED
        db.session.commit()
    runner = mail_app.test_cli_runner()

    # 20 January 2021: the July-September returns (due 28 October) are overdue; the
    # October-December ones are due on 29 January, within 14 days; January-March's are not.
    result = runner.invoke(args=["send-reminders", "--today", "2021-01-20"])

    assert result.exit_code == 0, result.output
    assert "25 grantee reminders queued, 2 officer digests queued; 27 sent by email" in (
        result.output
    )
    received = mail_server.received()
    grantees = Counter(
        (to.split("@")[1].removesuffix(".demo.org.uk"), subject)
        for to, subject in received
        if to.startswith("grantee@")
    )
    expected = Counter()
    for slug in ORGANISATIONS_WITH_RETURNS:
        expected[(slug, "Your return is due soon")] += 1
        if slug != "leeds-city-council":
            expected[(slug, "Your return is overdue")] += 1
    assert grantees == expected
    assert [r for r in received if not r[0].startswith("grantee@")] == sorted(
        [
            (OFFICER, "Returns digest for 20 January 2021"),
            (OFFICER_2, "Returns digest for 20 January 2021"),
        ]
    )
    # Not certifiers, nor organisations with nothing due.
    assert not any(to.startswith("certifier@") for to, _ in received)
    assert not any("stockport" in to for to, _ in received)
    digest = next(
        mail_server.message(i)
        for i, e in enumerate(mail_server.envelopes)
        if e.rcpt_tos == [OFFICER]
    )
    assert "1 returns are waiting for review." in digest.get_content()
    assert "12 returns are overdue." in digest.get_content()
    with mail_app.app_context():
        assert all(m.sent_at is not None for m in outbox())

    again = runner.invoke(args=["send-reminders", "--today", "2021-01-20"])

    assert again.exit_code == 0, again.output
    assert "0 grantee reminders queued, 0 officer digests queued; 0 sent by email" in again.output
    assert len(mail_server.envelopes) == 27

    next_day = runner.invoke(args=["send-reminders", "--today", "2021-01-21"])

    assert next_day.exit_code == 0, next_day.output
    assert len(mail_server.envelopes) == 54


def test_a_message_waits_in_the_outbox_while_the_server_is_down_and_is_sent_once_it_is_back(
    mail_app, mail_server
):
    from tracker.extensions import db
    from tracker.infrastructure import mail

    with mail_app.app_context():
        return_id = awaiting_sign_off("GB-LAE-LBH", LAMBETH_GRANTEE)
        db.session.commit()
        assert mail.deliver_pending() == 1  # the certifier hears of it while the server is up
    before = len(mail_server.envelopes)
    mail_server.stop()

    signed_off = post_with_version(
        signed_in_to(mail_app, LAMBETH_CERTIFIER),
        f"/returns/{return_id}/sign-off",
        {"decision": "sign-off"},
    )

    # The change is kept whatever happened to the email.
    assert signed_off.status_code == 302
    with mail_app.app_context():
        assert db.session.get(MilestoneReturn, return_id).status == ReturnStatus.SUBMITTED
        waiting = [m for m in outbox() if m.sent_at is None]
        assert sorted(m.to_address for m in waiting) == sorted([OFFICER, OFFICER_2])
        # The request tried once and stopped at the failure, rather than waiting on a dead
        # server for every message it queued.
        assert [m.attempts for m in waiting] == [1, 0]
        assert waiting[0].last_error.startswith("ConnectionRefusedError")
    admin_page = text_of(signed_in_to(mail_app, ADMIN).get("/admin/outbox"))
    assert "Failed: ConnectionRefusedError" in admin_page
    # Other people's requests (even a page anyone can load) do not use up its attempts.
    anyone = mail_app.test_client()
    for _ in range(mail.MAX_ATTEMPTS):
        assert anyone.get("/sign-in").status_code == 200
    with mail_app.app_context():
        assert [m.attempts for m in outbox() if m.sent_at is None] == [1, 0]

    still_down = mail_app.test_cli_runner().invoke(args=["send-outbox"])

    assert still_down.exit_code == 0, still_down.output
    assert "0 sent" in still_down.output
    with mail_app.app_context():
        waiting = [m for m in outbox() if m.sent_at is None]
        assert [m.attempts for m in waiting] == [2, 1]
        assert all(m.last_error.startswith("ConnectionRefusedError") for m in waiting)

    mail_server.start()
    back = mail_app.test_cli_runner().invoke(args=["send-outbox"])

    assert back.exit_code == 0, back.output
    assert "2 sent" in back.output
    assert mail_server.received(since=before) == sorted(
        [(OFFICER, "A return has been submitted"), (OFFICER_2, "A return has been submitted")]
    )
    with mail_app.app_context():
        for message in outbox():
            assert message.sent_at is not None
            assert message.last_error == ""

    once_more = mail_app.test_cli_runner().invoke(args=["send-outbox"])

    assert "0 sent" in once_more.output
    assert len(mail_server.envelopes) == before + 2


# --- with no mail server: the outbox alone ---------------------------------------------------


def sign_off_through_the_page(signed_in, transaction) -> int:
    from tracker.extensions import db

    return_id = awaiting_sign_off("GB-LAE-LBH", LAMBETH_GRANTEE)
    db.session.commit()
    response = post_with_version(
        signed_in(LAMBETH_CERTIFIER), f"/returns/{return_id}/sign-off", {"decision": "sign-off"}
    )
    assert response.status_code == 302
    return return_id


def test_with_no_mail_server_messages_stay_in_the_outbox_for_the_admin_to_read(
    app, signed_in, transaction
):
    from tracker.infrastructure import mail

    assert app.config["MAIL_SERVER"] == ""
    sign_off_through_the_page(signed_in, transaction)
    queued = [
        m for m in outbox() if m.kind == "return submitted" and m.to_address in (OFFICER, OFFICER_2)
    ]
    assert len(queued) == 2

    assert mail.deliver_pending() == 0

    transaction.expire_all()
    assert all(m.sent_at is None and m.attempts == 0 for m in queued)
    admin = signed_in(ADMIN)
    listing = admin.get("/admin/outbox")
    assert listing.status_code == 200
    listed = text_of(listing)
    assert "No mail server is set, so messages are kept here only." in listed
    assert f"{OFFICER} A return has been submitted" in listed
    assert "Not sent" in listed
    message = admin.get(f"/admin/outbox/{queued[0].id}")
    assert message.status_code == 200
    shown = text_of(message)
    assert queued[0].to_address in shown
    assert "London Borough of Lambeth" in shown
    assert "has been signed off and submitted" in shown
    assert admin.get("/admin/outbox/2147483647").status_code == 404


@pytest.mark.parametrize("email_address", [OFFICER, FINANCE, VIEWER, LAMBETH_GRANTEE])
def test_only_the_admin_can_read_the_outbox(app, signed_in, transaction, email_address):
    sign_off_through_the_page(signed_in, transaction)
    message_id = outbox()[0].id
    visitor = signed_in(email_address)

    listing = visitor.get("/admin/outbox")
    message = visitor.get(f"/admin/outbox/{message_id}")

    assert (listing.status_code, message.status_code) == (403, 403)
    assert "A return has been submitted" not in text_of(message)
