"""Reading what a page shows, the way a person would: the error beside a field, the value a
field kept, the rows of an object's history."""

from bs4 import BeautifulSoup
from sqlalchemy import func, select


def page_read(response) -> BeautifulSoup:
    """The response's page, parsed once (the page check, `text_of`, these helpers and the
    hostile tests' checks all read it): only for reading, never to change."""
    soup = getattr(response, "_page_read", None)
    if soup is None:
        soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
        response._page_read = soup
    return soup


soup_of = page_read


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
    """The history, newest first: when, and what happened in words."""
    heading = soup_of(response).find(id="history")
    assert heading is not None, "no history on the page"
    listing = heading.find_next("ol", class_="tracker-audit")
    if listing is None:
        return []
    return [
        {
            "when": " ".join(item.find(class_="govuk-caption-m").get_text(" ").split()),
            "sentence": " ".join(item.find(class_="tracker-audit__sentence").get_text(" ").split()),
        }
        for item in listing.find_all("li", recursive=False)
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
