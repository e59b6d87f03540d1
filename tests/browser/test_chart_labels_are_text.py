"""A user-provided name in a chart is drawn as text, never as markup (issue 14 item 5): Plotly
renders a subset of HTML in labels, so an organisation named like a link became a clickable
link inside the grantees chart's SVG. Checked in the SVG Chromium draws."""

import contextlib

import pytest
from sqlalchemy import select

from tests.browser.conftest import check_page, signed_in_as
from tests.conftest import VIEWER

pytestmark = pytest.mark.browser

HOSTILE = '<a href="https://evil.example/phish">Re-verify</a>'
LAMBETH = "GB-LAE-LBH"


@contextlib.contextmanager
def organisation_named(app, org_id: str, name: str):
    """The organisation renamed in the live server's database for the test, then named back."""
    from tracker.extensions import db
    from tracker.models import FundingStream, Organisation

    with app.app_context():
        organisation = db.session.scalars(
            select(Organisation).where(Organisation.org_id == org_id)
        ).one()
        original, organisation.name = organisation.name, name
        organisation_id = organisation.id
        stream_id = db.session.scalar(select(FundingStream.id).where(FundingStream.code == "SWIS"))
        db.session.commit()
    try:
        yield stream_id
    finally:
        with app.app_context():
            db.session.get(Organisation, organisation_id).name = original
            db.session.commit()


def test_an_organisation_named_like_a_link_is_text_in_the_chart_not_a_link(page, live_server):
    with organisation_named(live_server.app, LAMBETH, HOSTILE) as stream_id:
        signed_in_as(page, VIEWER)
        page.goto(f"/dashboards/grantees?stream={stream_id}")
        page.wait_for_selector("[data-chart] svg.main-svg")

        links = page.eval_on_selector_all("[data-chart] svg a", "els => els.length")
        drawn = page.eval_on_selector_all(
            "[data-chart] svg text", "els => els.map(e => e.textContent)"
        )
        evil = page.eval_on_selector_all(
            "[data-chart] [href*='evil'], [data-chart] [*|href*='evil']", "els => els.length"
        )

        assert links == 0 and evil == 0, "the name became a link in the chart"
        assert any(HOSTILE in text for text in drawn), drawn[:20]
        check_page(page)  # no CSP violation, no console error, axe-clean
