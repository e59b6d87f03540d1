"""A dashboard panel: one chart and the table of exactly the same figures (the accessible
alternative, and the CSV download)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from numbers import Number
from typing import NamedTuple

from tracker.domain.money import format_pounds, to_pounds


class Money(NamedTuple):
    """A sum in a panel's table (a tuple: a table of a hundred streams makes eight hundred)."""

    pence: int
    approximate: bool = False  # the source gives it as approximate: shown as "about £…"

    def __str__(self) -> str:
        # A word joiner after a minus sign: "-£487,655.00" never breaks after its "-".
        text = format_pounds(self.pence).replace("-", "-\u2060", 1)
        return ("about " if self.approximate else "") + text


@dataclass
class Panel:
    slug: str
    title: str
    figure: dict
    headers: list[str]
    rows: list[list] = field(default_factory=list)
    note: str = ""
    # What the CSV holds when it is more than the table shows (every grantee, say): the rows,
    # or a function that reads them, so that a page showing twenty does not read thousands.
    download_rows: list | Callable[[], list] | None = None
    _numeric: list[bool] | None = field(default=None, init=False, repr=False, compare=False)

    def csv_rows(self):
        """Money as exact pounds (Decimal), counts as numbers, the rest as text."""
        yield self.headers
        rows = self.download_rows
        rows = self.rows if rows is None else rows() if callable(rows) else rows
        for row in rows:
            yield [to_pounds(c.pence) if isinstance(c, Money) else c for c in row]

    def numeric(self, index: int) -> bool:
        """Whether a column holds figures (so is right-aligned). The table asks for every cell,
        so it is worked out once a column: asked anew each time, a table of the 5,000 grantees
        took 20 seconds to render (bench/RESULTS.md)."""
        if self._numeric is None:
            self._numeric = [
                any(isinstance(row[i], Money | int | Decimal) for row in self.rows)
                for i in range(len(self.headers))
            ]
        return self._numeric[index]

    def table_rows(self) -> list[list[tuple[str, bool]]]:
        """Each row's cells as shown (money in pounds, counts with commas) with whether the
        column is numeric: worked out here once, so the template only writes them out."""
        self.numeric(0)
        columns = self._numeric
        return [
            [
                (f"{cell:,}" if i and isinstance(cell, Number) else cell, columns[i])
                for i, cell in enumerate(row)
            ]
            for row in self.rows
        ]
