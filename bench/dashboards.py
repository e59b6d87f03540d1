"""Every dashboard and the minister's summary, through the service signed in as the
minister's office, against executing the raw SQL of the very statements the page ran, on the
driver's own cursor (captured with a `before_cursor_execute` listener)."""

from dataclasses import dataclass

from sqlalchemy import event

from bench.app_client import service, signed_in
from bench.timing import ratio, side_by_side

PAGES = {
    "The portfolio": "/dashboards",
    "Spend over time": "/dashboards/spend-over-time",
    "Spend by grantee": "/dashboards/grantees",
    "Returns": "/dashboards/returns",
    "Outputs against targets": "/dashboards/outputs",
    "Spend by region": "/dashboards/regions",
    "Spend by strength of evidence": "/dashboards/evidence",
    "Year-end outturn": "/dashboards/year-end",
    "The minister's summary": "/summary",
}
ALLOWANCE = 0.010  # the target: page <= 1.1 x raw SQL + 10 ms


@dataclass
class DashboardFigure:
    page: str
    path: str
    statements: int
    page_seconds: float
    sql_seconds: float
    page_bytes: int

    @property
    def ratio(self) -> float:
        return ratio(self.page_seconds, self.sql_seconds)

    @property
    def ceiling_seconds(self) -> float:
        return 1.1 * self.sql_seconds + ALLOWANCE

    @property
    def met(self) -> bool:
        return self.page_seconds <= self.ceiling_seconds


def _captured(app, client, path: str) -> tuple[list[tuple[str, object]], int]:
    """The statements (and their parameters, as the driver got them) that one request ran."""
    from tracker.extensions import db

    statements: list[tuple[str, object]] = []

    def listen(_conn, _cursor, statement, parameters, _context, executemany):
        if not executemany:
            statements.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", listen)
    try:
        response = client.get(path)
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    if response.status_code != 200:
        raise RuntimeError(f"{path} answered {response.status_code}")
    return statements, len(response.get_data())


def _raw_runner(app, statements):
    """Runs the statements on one raw DBAPI connection, fetching every row, as the page does
    (SQLAlchemy's own work on each row is what it saves)."""
    from tracker.extensions import db

    with app.app_context():
        connection = db.engine.raw_connection()

    # The session statements (BEGIN, the user's row) are part of the page's cost; run the
    # same in the floor so that only the service's own Python is the difference.
    def run():
        cursor = connection.cursor()
        for statement, parameters in statements:
            cursor.execute(statement, parameters)
            if cursor.description is not None:
                cursor.fetchall()
        cursor.close()
        connection.rollback()

    return run, connection


def run(url: str, email: str, *, repeats: int, log=print) -> list[DashboardFigure]:
    app = service(url)
    client = signed_in(app, email)
    figures = []
    for title, path in PAGES.items():
        statements, size = _captured(app, client, path)
        floor, connection = _raw_runner(app, statements)
        try:

            def page(path=path):
                response = client.get(path)
                if response.status_code != 200:
                    raise RuntimeError(f"{path} answered {response.status_code}")

            page_seconds, sql_seconds = side_by_side(page, floor, repeats)
        finally:
            connection.close()
        figure = DashboardFigure(title, path, len(statements), page_seconds, sql_seconds, size)
        log(
            f"  {title}: page {page_seconds * 1000:.1f} ms, its {len(statements)} statements "
            f"{sql_seconds * 1000:.1f} ms (x{figure.ratio:.2f})"
        )
        figures.append(figure)
    from tracker.extensions import db

    with app.app_context():
        db.engine.dispose()
    return figures
