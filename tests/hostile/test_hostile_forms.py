"""Hostile input to every form: generated and hostile values in place of a valid answer, missing
and wrong CSRF tokens, and forged ids of another organisation's things. Whatever is posted: no
5xx; a refused form is shown again with an error (or an error page) and stores nothing; and
nothing posted comes back as markup."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import LAMBETH_GRANTEE, Browser, csrf_token_from, text_of
from tests.hostile.cases import BY_ENDPOINT, CASES, Context
from tests.hostile.posting import (
    REFUSALS,
    Tally,
    changed_tables,
    example_savepoint,
    fingerprint,
    follow,
    has_error_message,
    kind_of,
    post,
    prepare,
    raw_payloads_in,
)
from tests.hostile.strategies import hostile_value

EXEMPT = {"static"}
# Fields a hostile poster might add that no form has: a role, an owner, a status, an id.
EXTRA_FIELDS = ["role", "organisation_id", "status", "id", "is_admin", "approved_by_id", "amount"]
# Examples per form: enough to try each kind of hostile value in each field over the runs.
EXAMPLES = 20


def post_endpoints(app) -> set[str]:
    return {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "POST" in rule.methods and rule.endpoint not in EXEMPT
    }


def test_every_form_is_in_the_hostile_table(app, reliability):
    missing = sorted(post_endpoints(app) - BY_ENDPOINT.keys())
    assert not missing, f"add these forms to tests/hostile/cases.py: {missing}"
    stale = sorted(BY_ENDPOINT.keys() - post_endpoints(app))
    assert not stale, f"these forms no longer exist: {stale}"
    reliability.record("hostile input", "forms covered", len(BY_ENDPOINT))


@pytest.fixture
def upload_folders(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))
    monkeypatch.setitem(app.config, "IMPORT_FOLDER", str(tmp_path / "imports"))
    return tmp_path


def visitor_for(app, signed_in, case) -> Browser:
    return signed_in(case.who) if case.who else Browser(app.test_client())


def files_under(folder) -> list[str]:
    return sorted(str(p) for p in folder.rglob("*") if p.is_file())


# --- the valid answer is accepted: the tests below can tell a write from none ----------------


@pytest.mark.parametrize("endpoint", sorted(BY_ENDPOINT))
def test_the_valid_answer_to_each_form_is_accepted_and_stored(
    app, signed_in, transaction, upload_folders, endpoint
):
    case = BY_ENDPOINT[endpoint]
    visitor = visitor_for(app, signed_in, case)
    with example_savepoint(transaction):
        prepared = prepare(app, case, Context(transaction, visitor, upload_folders / "uploads"))
        before = fingerprint(transaction)
        response = post(visitor, case, prepared.url, prepared.answer)
        assert response.status_code == 302, text_of(response)[:1500]
        landing = follow(visitor, response)
        assert landing.status_code == 200
        assert "error" not in (landing.headers.get("Content-Type") or "")
        changed = changed_tables(before, fingerprint(transaction))
    if endpoint == "imports.upload":
        # Nothing is written until the confirm: the file waits on the server.
        assert not changed
        assert "Check the allocations to import" in text_of(landing)
    else:
        assert changed, f"the valid answer to {endpoint} stored nothing"


# --- hostile values in place of the valid answer ----------------------------------------------


# These change what a rollback cannot restore (a file deleted or claimed on disk, the
# visitor's own session), so each of their examples sets up its thing afresh.
FRESH_EACH_EXAMPLE = {
    "auth.sign_out",
    "account.sign_out_everywhere",
    "imports.confirm",
    "evidence.remove",
}


@pytest.fixture
def set_up_once(app, signed_in, transaction, upload_folders, endpoint):
    """The visitor and the form's thing, set up once for all of a test's examples (each
    example's writes are rolled back, so the next finds it as it was)."""
    case = BY_ENDPOINT[endpoint]
    visitor = visitor_for(app, signed_in, case)
    if endpoint in FRESH_EACH_EXAMPLE:
        return visitor, None
    return visitor, prepare(app, case, Context(transaction, visitor, upload_folders / "uploads"))


@pytest.mark.parametrize("endpoint", sorted(BY_ENDPOINT))
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(data=st.data())
def test_hostile_values_never_break_a_form_nor_store_a_refused_answer(
    app, signed_in, transaction, upload_folders, set_up_once, reliability, endpoint, data
):
    case = BY_ENDPOINT[endpoint]
    tally = Tally()
    visitor, prepared = set_up_once
    try:
        with example_savepoint(transaction):
            if prepared is None:
                if endpoint in {"auth.sign_out", "account.sign_out_everywhere"}:
                    visitor = visitor_for(app, signed_in, case)
                ctx = Context(transaction, visitor, upload_folders / "uploads")
                prepared = prepare(app, case, ctx)
            answer = dict(prepared.answer)
            names = sorted(n for n in answer if n != "csrf_token") + EXTRA_FIELDS
            chosen = data.draw(
                st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True),
                label="fields",
            )
            for name in chosen:
                if name == case.upload:
                    answer[name] = data.draw(hostile_upload(), label=name)
                else:
                    answer[name] = data.draw(hostile_value(kind_of(case, name, answer)), label=name)
            files_before = files_under(upload_folders)
            before = fingerprint(transaction)

            response = post(visitor, case, prepared.url, answer)
            tally.posts += 1

            if response.status_code >= 500:
                tally.server_errors += 1
            assert response.status_code < 500, f"{endpoint} {chosen}: {response.status_code}"
            assert not raw_payloads_in(response, answer), f"{endpoint}: a payload shown raw"
            if 300 <= response.status_code < 400:
                tally.accepted += 1
                landing = follow(visitor, response)
                assert landing.status_code < 500
                assert not raw_payloads_in(landing, answer), f"{endpoint}: a payload shown raw"
            else:
                tally.refused += 1
                assert response.status_code in REFUSALS, response.status_code
                # A form with a check-your-answers step answers a good answer with the check
                # page (nothing stored yet); anything else it refuses must say why.
                assert has_error_message(response) or (
                    case.check_page is not None and case.check_page in text_of(response)
                ), text_of(response)[:1000]
                changed = changed_tables(before, fingerprint(transaction))
                changed = {t: n for t, n in changed.items() if t not in case.refusal_writes}
                tally.rows_stored_from_refusals += sum(abs(n) for n in changed.values())
                assert not changed, f"{endpoint} refused {chosen} but stored {changed}"
                assert files_under(upload_folders) == files_before
    finally:
        tally.record(reliability)


def hostile_upload():
    """In place of a file: a plain text field, or a file with a hostile name or content."""
    from tests.hostile.strategies import hostile_text

    names = st.one_of(
        hostile_text().map(lambda v: v if isinstance(v, str) else v.decode("utf-8", "replace")),
        st.sampled_from(["../../etc/passwd.pdf", "a" * 5000 + ".pdf", "con.pdf", ".pdf", "x.PDF"]),
    )
    contents = st.one_of(
        st.just(b""),
        st.binary(max_size=200),
        st.sampled_from([b"\x7fELF\x02\x01\x01" + b"\x00" * 60, b"MZ\x90\x00" + b"\x00" * 60]),
    )
    return st.one_of(
        hostile_text().map(lambda v: [v]),
        st.tuples(contents, names),
    )


# --- missing and wrong CSRF tokens ------------------------------------------------------------


TOKENS = ["missing", "empty", "wrong", "another session's"]


@pytest.mark.parametrize("endpoint", sorted(BY_ENDPOINT))
def test_a_form_without_its_csrf_token_is_refused_and_stores_nothing(
    app, signed_in, transaction, upload_folders, reliability, endpoint
):
    case = BY_ENDPOINT[endpoint]
    visitor = visitor_for(app, signed_in, case)
    stranger_token = csrf_token_from(Browser(app.test_client()).get("/sign-in"))
    with example_savepoint(transaction):
        prepared = prepare(app, case, Context(transaction, visitor, upload_folders / "uploads"))
        files_before = files_under(upload_folders)
        before = fingerprint(transaction)
        for token in TOKENS:
            answer = dict(prepared.answer)
            if token == "missing":
                answer.pop("csrf_token", None)
            else:
                answer["csrf_token"] = {
                    "empty": "",
                    "wrong": "IjEyMzQ1Ig.forged.signature",
                    "another session's": stranger_token,
                }[token]

            response = post(visitor, case, prepared.url, answer)

            assert response.status_code == 400, f"{endpoint}, {token} token: {response.status_code}"
            assert "Your form has expired" in text_of(response)
            assert "Nothing was saved" in text_of(response)
            assert not changed_tables(before, fingerprint(transaction)), f"{endpoint}, {token}"
            assert files_under(upload_folders) == files_before
            reliability.record("hostile input", "CSRF posts refused", 1)
        # The same answer with the page's own token is accepted: the token was all that was wrong.
        assert post(visitor, case, prepared.url, prepared.answer).status_code == 302


# --- forged ids: another organisation's things -------------------------------------------------


GRANTEE_CASES = sorted(case.endpoint for case in CASES if case.others)


def test_every_grantee_form_about_one_thing_is_tried_with_another_organisations(app):
    from tracker.models import GRANTEE_ROLES

    grantee_forms = sorted(
        endpoint
        for endpoint in post_endpoints(app)
        if getattr(app.view_functions[endpoint], "allowed_roles", frozenset()) & GRANTEE_ROLES
        and next(app.url_map.iter_rules(endpoint)).arguments
    )
    assert grantee_forms == GRANTEE_CASES


@pytest.mark.parametrize("endpoint", GRANTEE_CASES)
def test_a_grantee_posting_to_another_organisations_thing_gets_not_found_and_changes_nothing(
    app, signed_in, transaction, upload_folders, reliability, endpoint
):
    from tests.hostile.posting import url_of

    case = BY_ENDPOINT[endpoint]
    visitor = signed_in(case.others_who or case.who)
    with example_savepoint(transaction):
        ctx = Context(transaction, visitor, upload_folders / "uploads")
        theirs = case.others(ctx)
        transaction.commit()
        their_url = url_of(app, endpoint, theirs)
        # A valid answer with a real token of the visitor's own session, and a version that
        # matches theirs: only the organisation is wrong.
        answer = {name: value for name, value in case.answers.items()}
        answer["csrf_token"] = csrf_token_from(visitor.get("/organisation"))
        answer["version"] = answer["done-version"] = "1"
        files_before = files_under(upload_folders)
        before = fingerprint(transaction)

        page = visitor.get(their_url)
        response = post(visitor, case, their_url, answer)

        post_only = {
            "evidence.mark_done",
            "evidence.remove",
            "team.cancel_invitation",
            "team.resend_invitation",
            "team.remove_colleague",
            "account.revoke_api_token",
        }
        if endpoint not in post_only:
            assert page.status_code == 404
        assert response.status_code == 404, f"{endpoint}: {response.status_code}"
        assert "Page not found" in text_of(response)
        assert "Southampton" not in text_of(response)
        assert not changed_tables(before, fingerprint(transaction))
        assert files_under(upload_folders) == files_before
    reliability.record("hostile input", "forged ids refused", 1)


def test_a_grantee_reporting_on_another_organisations_milestone_stores_nothing_for_it(
    app, signed_in, transaction, upload_folders
):
    """The milestones form names each milestone in its fields: one that is not due in this
    return (another organisation's) is ignored, never stored."""
    from sqlalchemy import func, select

    from tests.hostile.things import SOUTHAMPTON_SWIS, allocation, first_return
    from tracker.models import Milestone, Project, ReturnMilestoneProgress

    case = BY_ENDPOINT["returns.milestones"]
    visitor = signed_in(LAMBETH_GRANTEE)
    with example_savepoint(transaction):
        prepared = prepare(app, case, Context(transaction, visitor, upload_folders / "uploads"))
        theirs = transaction.scalars(
            select(Milestone.id)
            .join(Project, Milestone.project_id == Project.id)
            .where(Project.allocation_id == allocation(transaction, SOUTHAMPTON_SWIS).id)
        ).all()
        assert theirs
        answer = dict(prepared.answer)
        for milestone_id in theirs:
            answer[f"completed_{milestone_id}"] = ["yes"]
            answer[f"note_{milestone_id}"] = ["Done by Lambeth"]

        response = post(visitor, case, prepared.url, answer)

        assert response.status_code == 302
        stored_for_theirs = transaction.scalar(
            select(func.count())
            .select_from(ReturnMilestoneProgress)
            .where(ReturnMilestoneProgress.milestone_id.in_(theirs))
        )
        assert stored_for_theirs == 0
        southampton_return = first_return(transaction, SOUTHAMPTON_SWIS)
        assert southampton_return.status.value == "not started"
