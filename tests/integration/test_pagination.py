"""Long lists page by key: following Next from the first page visits every row once, in
order, and Previous goes back the same way; a page number typed without a key still works;
counts stop at the cap ("More than ...")."""

import re

import pytest
from sqlalchemy import func, select

from tests.conftest import OFFICER
from tests.reading import soup_of
from tracker.data import pagination
from tracker.models import Allocation, MilestoneReturn


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(pagination, "PER_PAGE", 4)


def _ids(page, pattern: str) -> list[int]:
    return [int(m) for m in re.findall(pattern, page.get_data(as_text=True))]


def _link(page, rel: str) -> str | None:
    found = soup_of(page).find("a", rel=rel)
    return found["href"] if found else None


def walk(officer, start: str, pattern: str) -> tuple[list[list[int]], list[str]]:
    pages, links, url = [], [], start
    while url:
        assert len(pages) < 100, "Next never ends"
        page = officer.get(url)
        assert page.status_code == 200
        pages.append(_ids(page, pattern))
        links.append(url)
        url = _link(page, "next")
    return pages, links


def test_following_next_visits_every_allocation_once_newest_first(
    signed_in, transaction, small_pages
):
    officer = signed_in(OFFICER)
    pages, links = walk(officer, "/allocations", r'href="/allocations/(\d+)"')
    seen = [i for page in pages for i in page]
    expected = list(
        transaction.scalars(
            select(Allocation.id).order_by(Allocation.awarded_on.desc(), Allocation.id.desc())
        )
    )
    assert seen == expected
    assert all(len(page) == 4 for page in pages[:-1])
    assert all("after=" in link for link in links[1:]), "Next links page by key"
    # Previous from the last page gives back the page before it, exactly.
    last = officer.get(links[-1])
    back = officer.get(_link(last, "prev"))
    assert _ids(back, r'href="/allocations/(\d+)"') == pages[-2]
    assert f"Page {len(pages) - 1} of {len(pages)}" in back.get_data(as_text=True)


def test_a_page_number_without_a_key_still_shows_that_page(signed_in, transaction, small_pages):
    officer = signed_in(OFFICER)
    by_key, _ = walk(officer, "/allocations", r'href="/allocations/(\d+)"')
    page = officer.get("/allocations?page=2")
    assert _ids(page, r'href="/allocations/(\d+)"') == by_key[1]


def test_the_review_queue_pages_by_key_soonest_due_first(signed_in, transaction, small_pages):
    officer = signed_in(OFFICER)
    pages, _ = walk(officer, "/returns?status=not+started", r'href="/returns/(\d+)"')
    seen = [i for page in pages for i in page]
    expected = list(
        transaction.scalars(
            select(MilestoneReturn.id)
            .where(MilestoneReturn.status == "not started")
            .order_by(MilestoneReturn.due_on, MilestoneReturn.id)
        )
    )
    assert seen == expected and len(pages) > 2


def test_counts_stop_at_the_cap(signed_in, transaction, monkeypatch):
    monkeypatch.setattr(pagination, "COUNT_CAP", 5)
    total = transaction.scalar(select(func.count(Allocation.id)))
    assert total > 5
    text = signed_in(OFFICER).get("/allocations").get_data(as_text=True)
    assert "More than 5 allocations" in text


@pytest.mark.parametrize(
    "query",
    ["after=5_2020-01-01", "before=2020-13-01_1", "after=2020-01-01_99999999999999", "after=_"],
)
def test_a_key_altered_by_hand_is_ignored_not_an_error(signed_in, query):
    assert signed_in(OFFICER).get(f"/allocations?page=2&{query}").status_code == 200
    assert signed_in(OFFICER).get(f"/returns?page=2&{query}").status_code == 200
