"""The returns blueprint and what its pages share: loading a return the user may see, and
sending them back to the task list."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from tracker.data import returns as return_data
from tracker.services import returns as return_service
from tracker.web.access import CIVIL_SERVANTS, GRANTEES
from tracker.web.pages import found

bp = Blueprint("returns", __name__, url_prefix="/returns")
READERS = (*CIVIL_SERVANTS, *GRANTEES)


def load_return(return_id: int):
    return found(return_data.return_for_user(return_id, current_user))


def editable_or_redirect(milestone_return):
    if milestone_return.status not in return_service.EDITABLE:
        flash(
            f"This return is {milestone_return.status.value}: it can no longer be changed", "info"
        )
        return redirect(url_for("returns.view_return", return_id=milestone_return.id))
    return None


def to_task_list(milestone_return, message: str, category: str = "message"):
    flash(message, category)
    return redirect(url_for("returns.view_return", return_id=milestone_return.id))


def section_page(template: str, form, milestone_return, **context):
    if not form.is_submitted():
        form.version.data = str(milestone_return.version)
    return render_template(f"returns/{template}", form=form, ret=milestone_return, **context)
