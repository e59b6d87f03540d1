from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker.data import audit as audit_data
from tracker.data import payees as payee_data
from tracker.data import payments as payment_data
from tracker.data import returns as return_data
from tracker.domain.roles import Role
from tracker.domain.statuses import PaymentStatus
from tracker.infrastructure import clock
from tracker.payments import forms
from tracker.services import payees as payee_service
from tracker.services import payments as payment_service
from tracker.services.errors import RuleBroken
from tracker.web.access import CIVIL_SERVANTS, GRANTEES, current_actor, requires_role
from tracker.web.pages import found, page_number, show_rule_broken
from tracker.web.transactions import commits

bp = Blueprint("payments", __name__)


def _load(payment_id: int):
    return found(payment_data.payment_for_user(payment_id, current_user))


def _back(payment, message: str, category: str = "message"):
    flash(message, category)
    return redirect(url_for("payments.view_payment", payment_id=payment.id))


@bp.get("/payments")
@requires_role(*CIVIL_SERVANTS)
def list_payments():
    filters = forms.PaymentFilterForm(request.args)
    if "status" not in request.args:
        filters.status.data = PaymentStatus.REQUESTED.value
    try:
        status = PaymentStatus(filters.status.data) if filters.status.data else None
    except ValueError:
        status = None
    page = payment_data.payments_page(current_user, page_number(), status=status)
    return render_template("payments/list.html", page=page, filters=filters)


@bp.get("/payments/<int:payment_id>")
@requires_role(*CIVIL_SERVANTS, *GRANTEES)
def view_payment(payment_id: int):
    """Grantees see their own organisation's payments (another's is not found); only civil
    servants see who did what."""
    payment = _load(payment_id)
    approve = forms.ApproveForm()
    approve.version.data = str(payment.version)
    events = None if current_user.role.is_grantee else audit_data.history("payment", payment.id)
    organisation_id = payment.allocation.organisation_id
    # A paid payment shows the account it went to; any other, the account it would go to now.
    payee = (
        payee_data.account_by_id(payment.payee_account_id)
        if payment.paid_on
        else payee_data.current_account(organisation_id)
    )
    held = None if payment.paid_on else payee_service.payments_held(organisation_id, clock.now())
    return render_template(
        "payments/view.html",
        payment=payment,
        approve=approve,
        events=events,
        payee=payee,
        payee_held=held,
        may_mark_paid=payment_service.may_mark_paid(current_user.id, payment),
    )


@bp.route("/payments/<int:payment_id>/approve", methods=["GET", "POST"])
@requires_role(Role.FINANCE)
@commits
def approve(payment_id: int):
    """A check page (to whom, how much, what for, who asked) with the button that approves."""
    payment = _load(payment_id)
    form = forms.ApproveForm()
    if not form.is_submitted():
        # The service refuses these too; the check page is not offered for them.
        if payment.status != PaymentStatus.REQUESTED:
            message = f"This payment is {payment.status.value}: it cannot be approved"
            return _back(payment, message, "info")
        if payment.requested_by_id == current_user.id:
            message = "You requested this payment, so another finance officer must approve it"
            return _back(payment, message, "info")
        form.version.data = str(payment.version)
        return render_template("payments/check_approve.html", form=form, payment=payment)
    if not form.validate_on_submit():
        return _back(payment, "Your form has expired: try again", "info")
    try:
        payment_service.approve(current_actor(), payment, expected_version=form.expected_version())
    except RuleBroken as error:
        return _back(payment, error.message, "info")
    return _back(payment, "Payment approved")


@bp.route("/payments/<int:payment_id>/paid", methods=["GET", "POST"])
@requires_role(Role.FINANCE)
@commits
def mark_paid(payment_id: int):
    """The date and reference, then a check page; saved only from the check page."""
    payment = _load(payment_id)
    form = forms.PaidForm()
    if not form.is_submitted():
        form.version.data = str(payment.version)
    if form.validate_on_submit():
        if form.confirmed.data != "yes":
            return render_template("payments/check_paid.html", form=form, payment=payment)
        try:
            payment_service.mark_paid(
                current_actor(),
                payment,
                paid_on=form.paid_on.data,
                reference=form.reference.data,
                expected_version=form.expected_version(),
            )
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            return _back(payment, "Payment marked as paid")
    return render_template("payments/paid.html", form=form, payment=payment)


@bp.route("/payments/<int:payment_id>/hold", methods=["GET", "POST"])
@requires_role(Role.FINANCE)
@commits
def hold(payment_id: int):
    payment = _load(payment_id)
    form = forms.HoldForm()
    if not form.is_submitted():
        form.version.data = str(payment.version)
    if form.validate_on_submit():
        try:
            payment_service.hold(
                current_actor(),
                payment,
                reason=form.reason.data,
                expected_version=form.expected_version(),
            )
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            return _back(payment, "Payment held")
    return render_template("payments/hold.html", form=form, payment=payment)


@bp.route("/milestones/<int:milestone_id>/complete", methods=["GET", "POST"])
@requires_role(Role.OFFICER)
@commits
def complete_milestone(milestone_id: int):
    milestone = found(return_data.milestone_for_user(milestone_id, current_user))
    form = forms.CompleteMilestoneForm()
    if not form.is_submitted():
        form.completed_on.data = date.today()
    if form.validate_on_submit():
        try:
            payment = payment_service.complete_milestone(
                current_actor(), milestone, form.completed_on.data
            )
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            flash(
                "Milestone recorded as completed"
                + (": its payment has been requested" if payment else "")
            )
            return redirect(
                url_for(
                    "allocations.view_allocation", allocation_id=milestone.project.allocation_id
                )
            )
    return render_template("payments/complete_milestone.html", form=form, milestone=milestone)
