"""Inviting people and running a team. Administrators invite anyone; programme officers invite
grantee users and certifiers and choose each organisation's lead; a lead invites and removes
colleagues in their own organisation. Accepting an invitation is public: the emailed link is
the proof. The rules are in tracker/services/invitations.py."""

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from tracker.data import organisations as organisation_data
from tracker.data import team as listing
from tracker.data import users as user_data
from tracker.domain.roles import Role
from tracker.infrastructure import clock
from tracker.services import invitations
from tracker.services.errors import RuleBroken
from tracker.team.forms import InviteForm
from tracker.web.access import current_actor, public, requires_role
from tracker.web.forms import ConfirmForm, NewPasswordForm
from tracker.web.pages import found, id_or_none, show_rule_broken
from tracker.web.transactions import commits

bp = Blueprint("team", __name__)

INVITERS = (Role.ADMIN, Role.OFFICER, Role.GRANTEE)


def _link(token: str) -> str:
    return url_for("team.accept_invitation", token=token, _external=True)


def _inviter_or_403():
    if not invitations.roles_inviter_may_give(current_user):
        abort(403)


@bp.get("/team")
@requires_role(*INVITERS)
def team():
    return render_template(
        "team/team.html",
        people=listing.people_for(current_user),
        waiting=listing.invitations_for(current_user),
        may_invite=bool(invitations.roles_inviter_may_give(current_user)),
        now=clock.now(),
        form=ConfirmForm(),
    )


@bp.route("/team/invite", methods=["GET", "POST"])
@requires_role(*INVITERS)
@commits
def invite():
    _inviter_or_403()
    form = InviteForm()
    form.role.choices = [
        (role.value, role.label) for role in invitations.roles_inviter_may_give(current_user)
    ]
    if current_user.role == Role.GRANTEE:
        own = current_user.organisation
        form.organisation.choices = [(str(own.id), own.name)]
    else:
        form.organisation.choices = [("", "None")] + [
            (str(o.id), o.name) for o in organisation_data.all_organisations()
        ]
    if form.validate_on_submit():
        organisation_id = id_or_none(form.organisation.data)
        organisation = (
            organisation_data.organisation_by_id(organisation_id) if organisation_id else None
        )
        try:
            invitation = invitations.invite(
                current_actor(),
                email=form.email.data,
                name=form.name.data,
                role=Role(form.role.data),
                organisation=organisation,
                now=clock.now(),
                link_for=_link,
            )
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            flash(f"An invitation has been sent to {invitation.email}")
            return redirect(url_for("team.team"))
    return render_template("team/invite.html", form=form)


def _managed_invitation(invitation_id: int):
    """Another organisation's invitation, or one the user may not give, is not found."""
    invitation = found(listing.invitation_by_id(invitation_id))
    if not invitations.may_manage(current_user, invitation):
        abort(404)
    return invitation


@bp.post("/team/invitations/<int:invitation_id>/resend")
@requires_role(*INVITERS)
@commits
def resend_invitation(invitation_id: int):
    invitation = _managed_invitation(invitation_id)
    if ConfirmForm().validate_on_submit():
        try:
            invitations.resend(current_actor(), invitation, clock.now(), _link)
        except RuleBroken as error:
            flash(error.message, "info")
        else:
            flash(f"The invitation has been sent again to {invitation.email}")
    return redirect(url_for("team.team"))


@bp.post("/team/invitations/<int:invitation_id>/cancel")
@requires_role(*INVITERS)
@commits
def cancel_invitation(invitation_id: int):
    invitation = _managed_invitation(invitation_id)
    if ConfirmForm().validate_on_submit():
        try:
            invitations.cancel(current_actor(), invitation, clock.now())
        except RuleBroken as error:
            flash(error.message, "info")
        else:
            flash(f"The invitation to {invitation.email} has been cancelled")
    return redirect(url_for("team.team"))


@bp.post("/team/people/<int:user_id>/remove")
@requires_role(Role.GRANTEE)
@commits
def remove_colleague(user_id: int):
    """A lead removes a colleague; anyone outside their organisation is not found."""
    person = found(user_data.user_by_id(user_id))
    if person.organisation_id != current_user.organisation_id:
        abort(404)
    if not current_user.is_lead:
        abort(403)
    if ConfirmForm().validate_on_submit():
        try:
            invitations.remove_colleague(current_actor(), person, clock.now())
        except RuleBroken as error:
            flash(error.message, "info")
        else:
            flash(f"{person.name} can no longer sign in")
    return redirect(url_for("team.team"))


@bp.post("/team/people/<int:user_id>/lead")
@requires_role(Role.ADMIN, Role.OFFICER)
@commits
def change_lead(user_id: int):
    """Makes a grantee user their organisation's lead, or stops them being it."""
    person = found(user_data.user_by_id(user_id))
    if ConfirmForm().validate_on_submit():
        try:
            invitations.set_lead(current_actor(), person, not person.is_lead)
        except RuleBroken as error:
            flash(error.message, "info")
        else:
            flash(
                f"{person.name} {'now leads' if person.is_lead else 'no longer leads'} "
                "their organisation's team"
            )
    return redirect(url_for("team.team"))


@bp.route("/invitation", methods=["GET", "POST"])
@public
@commits(keep_refusals=True)  # the password is hashed before the chain's lock is taken
def accept_invitation():
    """The link's token is in the query string: `?token=...`."""
    token = request.args.get("token", "")
    now = clock.now()
    try:
        invitation = invitations.usable_invitation(token, now)
    except invitations.InvitationNotUsable as refusal:
        return render_template("team/invitation_not_usable.html", reason=refusal.reason), 404
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            invitations.accept(token, form.new_password.data, request.remote_addr or "", now)
        except invitations.InvitationNotUsable as refusal:
            return render_template("team/invitation_not_usable.html", reason=refusal.reason), 404
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            session.clear()
            flash("Your account is ready. Sign in with your email address and new password.")
            return redirect(url_for("auth.sign_in"))
    return render_template("team/accept.html", form=form, invitation=invitation)
