"""Small things views share: reading a page number, a 404 for what isn't there."""

from flask import abort, request


def page_number() -> int:
    value = request.args.get("page", "1")
    return int(value) if value.isdigit() and 0 < int(value) < 100_000 else 1


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
