from flask import Blueprint, flash, redirect, render_template, url_for

from tracker.admin.forms import ConfirmForm, UserForm
from tracker.data import audit as audit_data
from tracker.data import organisations as organisation_data
from tracker.data import users as user_data
from tracker.domain.roles import Role
from tracker.services import two_factor
from tracker.services import users as user_service
from tracker.services.errors import RuleBroken
from tracker.web.access import current_actor, requires_role
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


@bp.get("/audit")
@requires_role(Role.ADMIN)
def audit_log():
    return render_template("admin/audit.html", page=audit_data.audit_page(page_number()))


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
