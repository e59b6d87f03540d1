"""Reading what a page shows, the way a person would: the error beside a field, the value a
field kept, the rows of an object's history."""

from bs4 import BeautifulSoup
from sqlalchemy import func, select


def soup_of(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def error_beside(response, field: str) -> str:
    message = soup_of(response).find(id=f"{field}-error")
    return " ".join(message.get_text(" ").split()) if message else ""


def value_of(response, field: str) -> str | None:
    control = soup_of(response).find(id=field)
    if control is None:
        return None
    if control.name == "select":
        chosen = control.find("option", selected=True)
        return chosen["value"] if chosen else None
    if control.name == "textarea":
        return control.get_text()
    return control.get("value")


def history_rows(response) -> list[dict]:
    """The history table, newest first: who, what, and the before and after values."""
    heading = soup_of(response).find(id="history")
    assert heading is not None, "no history on the page"
    table = heading.find_next("table")
    if table is None:
        return []

    def values(cell) -> dict[str, str]:
        found = {}
        for item in cell.find_all("li"):
            key = " ".join(item.span.get_text(" ").split())
            item.span.extract()
            found[key] = " ".join(item.get_text(" ").split()).removeprefix(": ")
        return found

    return [
        {
            "who": cells[1].get_text(strip=True),
            "what": cells[2].get_text(strip=True),
            "before": values(cells[3]),
            "after": values(cells[4]),
        }
        for cells in (row.find_all("td") for row in table.tbody.find_all("tr"))
    ]


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def user_audit_events(session, action: str, user_id: int) -> list:
    """The audit events of one kind about one user, oldest first."""
    from tracker.models import AuditEvent

    return list(
        session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.action == action,
                AuditEvent.object_type == "app_user",
                AuditEvent.object_id == user_id,
            )
            .order_by(AuditEvent.id)
        )
    )
