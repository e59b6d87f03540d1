"""Typed output indicators (issue 17, item 2): "Schools with a placed social worker" is a count
at a point in time, so the outputs dashboard shows each project's latest count, never the sum of
its quarters; a flow ("Children supported") adds its quarters up; the table says which."""

from tests.conftest import LAMBETH_GRANTEE, OFFICER, VIEWER
from tests.factories import actor, stream
from tests.integration.test_dashboards import table
from tests.integration.test_returns import (
    LAMBETH_CERTIFIER,
    LAMBETH_SWIS,
    complete_every_section,
    returns_of,
)
from tracker.models import Indicator, IndicatorKind, Rag
from tracker.services import returns as return_service


def kinds(session, code: str) -> dict[str, IndicatorKind]:
    return {i.code: i.kind for i in stream(session, code).indicators}


def test_the_seeds_say_how_each_indicator_adds_up(transaction):
    assert kinds(transaction, "SWIS") == {
        "SCHOOLS": IndicatorKind.POINT_IN_TIME,
        "CHILDREN": IndicatorKind.FLOW,
        "REFERRALS": IndicatorKind.FLOW,
    }
    assert kinds(transaction, "TRF")["TRUSTED_ADULTS"] == IndicatorKind.POINT_IN_TIME
    assert kinds(transaction, "CSA-STF")["SERVICES"] == IndicatorKind.CUMULATIVE


def approve_with(session, milestone_return, values: dict[str, int]) -> None:
    indicators = {i.code: i for i in milestone_return.project.allocation.stream.indicators}
    complete_every_section(session, milestone_return, LAMBETH_GRANTEE)
    grantee = actor(session, LAMBETH_GRANTEE)
    every = {i.id: 0 for i in indicators.values()}
    return_service.save_outputs(
        grantee, milestone_return, every | {indicators[c].id: v for c, v in values.items()}
    )
    return_service.submit(grantee, milestone_return, declared_by_name="Grace Grantee")
    return_service.sign_off(actor(session, LAMBETH_CERTIFIER), milestone_return, approve=True)
    return_service.review(
        actor(session, OFFICER), milestone_return, approve=True, reasons="", reviewer_rag=Rag.GREEN
    )
    session.commit()


def achieved(viewer, swis_id: int) -> dict[str, tuple[int, str]]:
    rows = table(viewer.get(f"/dashboards/outputs?stream={swis_id}"), "outputs")
    return {row[1]: (int(row[4].replace(",", "")), row[5]) for row in rows}


def test_a_point_in_time_count_shows_the_latest_and_a_flow_adds_up(signed_in, transaction):
    swis = stream(transaction, "SWIS")
    viewer = signed_in(VIEWER)
    schools, children = "Schools with a placed social worker", "Children supported"
    before = achieved(viewer, swis.id)
    first, second = returns_of(transaction, LAMBETH_SWIS)[:2]

    approve_with(transaction, first, {"SCHOOLS": 6, "CHILDREN": 10})
    approve_with(transaction, second, {"SCHOOLS": 8, "CHILDREN": 12})
    after = achieved(viewer, swis.id)

    # Lambeth's count went from (nothing) to 6 to 8 schools: 8 more, not 14.
    assert after[schools][0] - before.get(schools, (0, ""))[0] == 8
    # Children supported in each quarter add up: 22 more.
    assert after[children][0] - before.get(children, (0, ""))[0] == 22
    assert after[schools][1].startswith("latest count (a count at a point in time")
    assert after[children][1] == "added up over every period reported"


def test_the_outputs_page_says_how_the_figures_add_up(signed_in, transaction):
    page = signed_in(VIEWER).get("/dashboards/outputs")
    assert "never summed over quarters" in page.get_data(as_text=True)
    assert transaction.query(Indicator).filter_by(kind=IndicatorKind.FLOW).count() > 0
