"""A grantee's own organisation: its allocations, returns and payments, and nothing else."""

from datetime import date

from flask import Blueprint, current_app, render_template
from flask_login import current_user

from tracker.data import allocations as allocation_data
from tracker.data import payments as payment_data
from tracker.data import queues as queue_data
from tracker.data import returns as return_data
from tracker.web.access import GRANTEES, requires_role
from tracker.web.pages import found, page_number

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
        projects=return_data.projects_with_milestones(chosen.id),
        completed_in=return_data.completing_returns(chosen.id),
        returns=return_data.returns_for_allocation(chosen.id),
        payments=payment_data.payments_page(current_user, 1, allocation_id=chosen.id).items,
        today=date.today(),
    )
