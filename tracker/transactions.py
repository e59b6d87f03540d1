"""One commit policy. Services only flush; a POST view marked @commits is committed when it
succeeds, which for us means it answered with a redirect (post/redirect/get). Anything else, a
form shown again with errors or an exception, is rolled back: nothing is ever half-saved.

Sign-in is the one view whose refusals must be kept too (the failed attempt is what throttling
counts): it uses @commits(keep_refusals=True).

A POST takes the audit chain's lock (`data.audit.lock_chain`) before its view runs, so that on
PostgreSQL every writing request takes its locks in the same order, the chain first and rows
after: a request that held a row and then waited for the chain while another held the chain and
waited for that row would be a deadlock. Sign-in does not: it checks a password (slowly) before
it writes, and must not hold up every other writer while it does.
"""

from collections.abc import Callable
from functools import wraps

from flask import request

from tracker.data.audit import lock_chain
from tracker.extensions import db


def commits(view: Callable | None = None, *, keep_refusals: bool = False) -> Callable:
    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            try:
                if request.method == "POST" and not keep_refusals:
                    lock_chain()
                response = view(*args, **kwargs)
            except BaseException:
                db.session.rollback()
                raise
            status = getattr(response, "status_code", 200)
            if 300 <= status < 400 or (keep_refusals and status < 500):
                db.session.commit()
                _send_queued_mail()
            else:
                db.session.rollback()
            return response

        wrapped.commits = True
        return wrapped

    return decorate(view) if view is not None else decorate


def _send_queued_mail() -> None:
    """After a commit, send what it queued (when MAIL_SERVER is set), and only that: a request
    never retries other people's messages (so a page anyone can load cannot use up their
    attempts), and it stops at the first failure (so a mail server that is down delays it
    once, not once per message). Best effort: a mail failure is recorded on the message and
    never undoes the change that was committed; `flask send-outbox` sends it later."""
    from flask import current_app, g

    queued = g.pop("queued_mail", None)
    if not queued or not current_app.config.get("MAIL_SERVER"):
        return
    from tracker import mail

    try:
        mail.deliver_pending(limit=len(queued), ids=queued, stop_at_first_failure=True)
    except Exception:  # noqa: BLE001 - the change is committed; the outbox keeps the message
        current_app.logger.exception("Could not send queued mail")
        db.session.rollback()
