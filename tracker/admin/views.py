import csv
import io
import re
from datetime import UTC, date, datetime

from flask import (
    Blueprint,
    Response,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)

from tracker.admin.forms import AuditFilterForm, ConfirmForm, UserForm
from tracker.data import audit as audit_data
from tracker.data import organisations as organisation_data
from tracker.data import users as user_data
from tracker.data.audit import AuditFilters
from tracker.domain.roles import Role
from tracker.services import audit_sentences, two_factor
from tracker.services import users as user_service
from tracker.services.errors import RuleBroken
from tracker.web.access import current_actor, requires_role
from tracker.web.downloads import formula_safe
from tracker.web.pages import found, id_or_none, page_number, show_rule_broken
from tracker.web.transactions import commits

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _organisation_choices(form: UserForm) -> None:
    form.organisation.choices = [("", "None")] + [
        (str(o.id), o.name) for o in organisation_data.all_organisations()
    ]


def _organisation(form: UserForm):
    organisation_id = id_or_none(form.organisation.data)
    return organisation_data.organisation_by_id(organisation_id) if organisation_id else None


@bp.get("/users")
@requires_role(Role.ADMIN)
def list_users():
    return render_template("admin/users.html", page=user_data.users_page(page_number()))


@bp.get("/users/<int:user_id>")
@requires_role(Role.ADMIN)
def view_user(user_id: int):
    user = found(user_data.user_by_id(user_id))
    return render_template(
        "admin/user.html", user=user, events=audit_data.history("app_user", user.id)
    )


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@requires_role(Role.ADMIN)
@commits
def edit_user(user_id: int):
    user = found(user_data.user_by_id(user_id))
    form = UserForm(obj=user)
    _organisation_choices(form)
    if not form.is_submitted():
        form.role.data = user.role.value
        form.organisation.data = str(user.organisation_id or "")
    if form.validate_on_submit():
        try:
            user_service.update_user(
                current_actor(),
                user,
                name=form.name.data,
                role=Role(form.role.data),
                organisation=_organisation(form),
                active=form.active.data,
            )
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            flash("The user has been updated")
            return redirect(url_for("admin.view_user", user_id=user.id))
    return render_template(
        "admin/user_form.html", form=form, user=user, title=f"Change {user.email}"
    )


def _audit_filters() -> tuple[AuditFilterForm, AuditFilters | None]:
    """The filters in the query string, or None (with errors on the form) when one is wrong."""
    form = AuditFilterForm(request.args)
    form.organisation.choices = [("", "Any organisation")] + [
        (str(o.id), o.name) for o in organisation_data.all_organisations()
    ]
    form.object.choices = [("", "Any kind")] + [
        (kind, kind.replace("_", " ").capitalize()) for kind in audit_data.object_types()
    ]
    form.action.choices = [("", "Anything")] + [
        (action, action.capitalize()) for action in audit_data.actions()
    ]
    if not form.validate():
        return form, None
    actor_id = None
    if form.person.data:
        person = user_data.user_by_email(form.person.data)
        if person is None:
            form.person.errors = [f"No user has the email address {form.person.data}"]
            return form, None
        actor_id = person.id
    since, until = _day(form.since), _day(form.until)
    if form.since.errors or form.until.errors:
        return form, None
    if since and until and until < since:
        form.until.errors = ["The date to must be the same as or after the date from"]
        return form, None
    sign_ins = form.sign_ins.data if form.sign_ins.data in SIGN_IN_CHOICES else "hidden"
    return form, AuditFilters(
        actor_id=actor_id,
        organisation_id=id_or_none(form.organisation.data),
        object_type=form.object.data or None,
        object_id=id_or_none(form.object_id.data),
        action=form.action.data or None,
        since=since,
        until=until,
        sign_ins=sign_ins,
    )


def _csv_text(rows):
    """CSV in pieces, with a byte-order mark for Excel; text a spreadsheet would run as a formula
    kept as text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    for count, row in enumerate(rows, start=1):
        writer.writerow([formula_safe(c) if isinstance(c, str) else c for c in row])
        if count % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate(0)
    yield buffer.getvalue()


SIGN_IN_CHOICES = {"hidden", "shown", "only"}


def _day(field) -> date | None:
    text = (field.data or "").strip()
    if not text:
        return None
    try:
        if "-" in text and len(text.split("-")[0]) == 4:
            return date.fromisoformat(text)
        day, month, year = (int(part) for part in re.split(r"[/ .-]", text))
        return date(year, month, day)
    except ValueError:
        field.errors = [f"{field.label.text} must be a real date, like 31/3/2021"]
        return None


@bp.get("/audit")
@requires_role(Role.ADMIN)
def audit_log():
    form, filters = _audit_filters()
    if filters is None:
        return render_template("admin/audit.html", form=form, page=None, entries=[])
    page = audit_data.audit_page(
        page_number(),
        filters,
        after=request.args.get("after"),
        before=request.args.get("before"),
    )
    return render_template(
        "admin/audit.html", form=form, page=page, entries=audit_sentences.describe(page.items)
    )


@bp.get("/audit.csv")
@requires_role(Role.ADMIN)
def audit_csv():
    """The trail as the filters leave it, every row (not only one page), in words."""
    _form, filters = _audit_filters()
    if filters is None:
        return redirect(url_for("admin.audit_log", **request.args))
    rows = audit_sentences.csv_rows(filters)
    response = Response(
        stream_with_context(_csv_text(rows)), content_type="text/csv; charset=utf-8"
    )
    stamp = f"{datetime.now(UTC):%Y-%m-%dT%H%M%SZ}"
    response.headers["Content-Disposition"] = f'attachment; filename="audit-trail-{stamp}.csv"'
    return response


@bp.get("/outbox")
@requires_role(Role.ADMIN)
def outbox():
    return render_template("admin/outbox.html", page=audit_data.outbox_page(page_number()))


@bp.get("/outbox/<int:message_id>")
@requires_role(Role.ADMIN)
def outbox_message(message_id: int):
    message = found(audit_data.outbox_message(message_id))
    return render_template("admin/outbox_message.html", message=message)


@bp.route("/users/<int:user_id>/two-factor", methods=["GET", "POST"])
@requires_role(Role.ADMIN)
@commits
def turn_off_two_factor(user_id: int):
    """When someone loses their phone: they sign in with their password and set it up again."""
    user = found(user_data.user_by_id(user_id))
    if not user.has_two_factor:
        flash(f"{user.email} does not have two-factor authentication turned on", "info")
        return redirect(url_for("admin.view_user", user_id=user.id))
    form = ConfirmForm()
    if form.validate_on_submit():
        two_factor.turn_off(current_actor(), user)
        flash(f"Two-factor authentication is off for {user.email}")
        return redirect(url_for("admin.view_user", user_id=user.id))
    return render_template("admin/turn_off_two_factor.html", form=form, user=user)
