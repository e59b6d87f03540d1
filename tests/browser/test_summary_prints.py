"""The minister's summary printed on A4: every chart is sized for paper and no chart covers a
table. Printed to PDF by Chromium, the text of every table is in the PDF; with print media, no
table's box overlaps a chart's box. The pages are kept as PNGs (pdftoppm, when installed) under
the test's folder for a person to look at."""

import io
import re
import shutil
import subprocess

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser.conftest import check_page, signed_in_as
from tests.conftest import VIEWER

pytestmark = pytest.mark.browser

A4_WIDTH_PX = 794  # 210 mm at 96 CSS pixels to the inch


def words(text: str) -> str:
    return " ".join(text.split())


def overlapping(page) -> list[str]:
    """Each (table, chart) pair whose boxes overlap, by id."""
    return page.evaluate(
        """() => {
          const box = (e) => e.getBoundingClientRect();
          const tables = [...document.querySelectorAll('table')];
          const charts = [...document.querySelectorAll('.tracker-chart')];
          const hits = [];
          for (const t of tables) {
            const a = box(t);
            for (const c of charts) {
              const b = box(c);
              if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) {
                hits.push(`${t.id || 'table'} under ${c.id}`);
              }
            }
          }
          return hits;
        }"""
    )


def test_the_printed_summary_shows_every_table_whole_beside_charts_sized_for_paper(page, tmp_path):
    signed_in_as(page, VIEWER)
    page.goto("/summary")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    check_page(page)
    tables = page.locator("table")
    assert tables.count() >= 3
    table_texts = [words(t) for t in tables.all_inner_texts()]

    # As the printer lays it out: paper-wide, print media.
    page.set_viewport_size({"width": A4_WIDTH_PX, "height": 1123})
    page.emulate_media(media="print")
    expect(page.locator("html")).to_have_attribute("data-charts-sized-for", "print")
    heights = page.eval_on_selector_all(
        ".tracker-chart", "(cs) => cs.map((c) => c.getBoundingClientRect().height)"
    )
    # Short enough for paper (never the screen's 736 pixels); a chart of horizontal bars is
    # given a row a bar, so that on paper it names every bar, none dropped to fit.
    assert heights and max(heights) <= 600, heights
    named = page.eval_on_selector_all(
        "[data-chart]",
        """(cs) => cs.map((c) => {
          const bars = c.data.filter((t) => t.type === 'bar' && t.orientation === 'h');
          if (!bars.length) return null;
          return [new Set(bars.flatMap((t) => Array.from(t.y))).size,
                  c.querySelectorAll('.ytick').length];
        })""",
    )
    bar_charts = [pair for pair in named if pair]
    assert bar_charts, named
    for bars, names in bar_charts:
        assert names == bars, f"{names} names for {bars} bars on paper"
    assert overlapping(page) == []
    for table in tables.all():
        assert table.is_visible()

    pdf = page.pdf(format="A4", print_background=True)
    reader = PdfReader(io.BytesIO(pdf))
    printed = words(" ".join(p.extract_text() for p in reader.pages))
    for text in table_texts:
        # Every cell of every table is in the PDF (PDF text may break lines differently).
        for cell in re.split(r"\s{2,}|\t", text):
            for word in cell.split()[:3]:
                assert word in printed, f"{word!r} of a table is not in the printed summary"
    if shutil.which("pdftoppm"):
        (tmp_path / "summary.pdf").write_bytes(pdf)
        subprocess.run(
            ["pdftoppm", "-png", "-r", "50", str(tmp_path / "summary.pdf"), str(tmp_path / "page")],
            check=True,
        )

    # Back on screen, the charts take their screen size again.
    page.emulate_media(media="screen")
    expect(page.locator("html")).to_have_attribute("data-charts-sized-for", "screen")
