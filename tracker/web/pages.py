"""Small things views share: reading a page number, a 404 for what isn't there."""

from flask import abort, request


def page_number() -> int:
    value = request.args.get("page", "1")
    # isascii: "²".isdigit() is True but int("²") fails.
    return int(value) if value.isascii() and value.isdigit() and 0 < int(value) < 100_000 else 1


def id_or_none(text: str | None) -> int | None:
    """An id from a query string, or None: "²" passes isdigit() but not int(), and 20 digits
    would overflow the id column."""
    value = text or ""
    return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None


def found(obj):
    if obj is None:
        abort(404)
    return obj


def show_rule_broken(form, error) -> None:
    """Put a service's refusal beside the field it is about (or at the top of the form)."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = (
            [*field.errors, error.message] if isinstance(field.errors, list) else [error.message]
        )
    else:
        form.form_errors.append(error.message)
