"""A grantee's own organisation: its allocations, returns and payments, and nothing else."""

from datetime import date

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker.data import allocations as allocation_data
from tracker.data import offers as offer_data
from tracker.data import payments as payment_data
from tracker.data import queues as queue_data
from tracker.data import returns as return_data
from tracker.domain.statuses import OfferStatus
from tracker.grantee.forms import AcceptOfferForm
from tracker.services import offers as offer_service
from tracker.services.errors import RuleBroken
from tracker.web.access import GRANTEES, current_actor, requires_role
from tracker.web.pages import found, id_or_none, page_number, show_rule_broken
from tracker.web.transactions import commits

bp = Blueprint("grantee", __name__, url_prefix="/organisation")


@bp.get("")
@requires_role(*GRANTEES)
def overview():
    return render_template(
        "grantee/overview.html",
        organisation=current_user.organisation,
        allocations=allocation_data.allocations_page(current_user, 1).items,
        returns=return_data.returns_page(current_user, page_number()),
        payments=payment_data.payments_page(current_user, 1).items,
        today=date.today(),
        queues=queue_data.queues_for(
            current_user,
            date.today(),
            threshold_pence=current_app.config["SECOND_APPROVAL_THRESHOLD_PENCE"],
        ),
    )


@bp.get("/allocations/<int:allocation_id>")
@requires_role(*GRANTEES)
def allocation(allocation_id: int):
    chosen = found(allocation_data.allocation_for_user(allocation_id, current_user))
    return render_template(
        "grantee/allocation.html",
        allocation=chosen,
        offer=next(iter(offer_data.offers_of(chosen.id)), None),
        may_accept=offer_service.may_accept(current_user, chosen),
        projects=return_data.projects_with_milestones(chosen.id),
        completed_in=return_data.completing_returns(chosen.id),
        returns=return_data.returns_for_allocation(chosen.id),
        payments=payment_data.payments_page(current_user, 1, allocation_id=chosen.id).items,
        today=date.today(),
    )


@bp.route("/allocations/<int:allocation_id>/offer", methods=["GET", "POST"])
@requires_role(*GRANTEES)
@commits
def offer(allocation_id: int):
    """The grant offer letter (the latest version, or ?version=N); the organisation's certifier
    or team lead accepts an open one here."""
    chosen = found(allocation_data.allocation_for_user(allocation_id, current_user))
    versions = offer_data.offers_of(chosen.id)
    shown = found(offer_service.version_of(versions, id_or_none(request.args.get("version"))))
    may_accept = shown.status == OfferStatus.OPEN and offer_service.may_accept(
        current_user, chosen
    )
    form = AcceptOfferForm()
    if request.method == "POST":
        if not may_accept:
            if shown.status != OfferStatus.OPEN:
                flash(offer_service.why_not_open(shown), "info")
                return redirect(url_for("grantee.offer", allocation_id=chosen.id))
            abort(403)
        if form.validate_on_submit():
            try:
                offer_service.accept(
                    current_actor(),
                    shown,
                    name=form.name.data,
                    job_title=form.job_title.data,
                    declared=bool(form.declaration.data),
                )
            except RuleBroken as error:
                show_rule_broken(form, error)
            else:
                flash(f"You accepted the offer of {chosen.title}")
                return redirect(url_for("grantee.allocation", allocation_id=chosen.id))
    return render_template(
        "grantee/offer.html",
        allocation=chosen,
        offer=shown,
        versions=versions,
        form=form,
        may_accept=may_accept,
    )
