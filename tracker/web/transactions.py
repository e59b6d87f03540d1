"""One commit policy. Services only flush; a POST view marked @commits is committed when it
succeeds, which for us means it answered with a redirect (post/redirect/get). Anything else, a
form shown again with errors or an exception, is rolled back: nothing is ever half-saved.

Sign-in is the one view whose refusals must be kept too (the failed attempt is what throttling
counts): it uses @commits(keep_refusals=True).

A POST takes the audit chain's lock (`data.audit.lock_chain`) before its view runs, so that on
PostgreSQL every writing request takes its locks in the same order, the chain first and rows
after: a request that held a row and then waited for the chain while another held the chain and
waited for that row would be a deadlock. Sign-in (and the other forms that check a password)
cannot take it first: it checks a password, slowly, and must hold no lock while it does. So it
records the attempt in a short transaction of its own (`committed_at_once`), checks the
password with no transaction open, and then takes the chain's lock before it writes anything
else (`tracker.services.auth`), in the same order as every other writer.

Work that must be kept whatever becomes of the request, or that a reading request (GET, HEAD)
must write (a session's last-seen time), goes in `committed_at_once()`: it is committed at once
in a write transaction of its own (see `tracker.infrastructure.database` for why a GET cannot
simply write).
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps

from flask import request

from tracker.data.audit import lock_chain
from tracker.extensions import db
from tracker.infrastructure.database import writing
from tracker.services.notify import QUEUED


@contextmanager
def committed_at_once() -> Iterator[None]:
    """A short write transaction of its own, committed at the end of the block (rolled back if
    the block raises). The transaction open before it, which has only read, ends first: in a GET
    on SQLite that is a deferred read, which could not take the write lock without failing."""
    db.session.commit()
    with writing():
        try:
            yield
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise


def commits(view: Callable | None = None, *, keep_refusals: bool = False) -> Callable:
    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            try:
                if request.method == "POST" and not keep_refusals:
                    lock_chain()
                response = view(*args, **kwargs)
            except BaseException:
                _forget_queued_mail()
                db.session.rollback()
                raise
            status = getattr(response, "status_code", 200)
            if 300 <= status < 400 or (keep_refusals and status < 500):
                db.session.commit()
                _send_queued_mail()
            else:
                _forget_queued_mail()
                db.session.rollback()
            return response

        wrapped.commits = True
        return wrapped

    return decorate(view) if view is not None else decorate


def _forget_queued_mail() -> None:
    """What a rolled-back request queued was never stored: nothing to send."""
    db.session.info.pop(QUEUED, None)


def _send_queued_mail() -> None:
    """After a commit, send what it queued (when MAIL_SERVER is set), and only that: a request
    never retries other people's messages (so a page anyone can load cannot use up their
    attempts), and it stops at the first failure (so a mail server that is down delays it
    once, not once per message). Best effort: a mail failure is recorded on the message and
    never undoes the change that was committed; `flask send-outbox` sends it later."""
    from flask import current_app

    queued = db.session.info.pop(QUEUED, None)
    if not queued or not current_app.config.get("MAIL_SERVER"):
        return
    from tracker.infrastructure import mail

    try:
        mail.deliver_pending(limit=len(queued), ids=queued, stop_at_first_failure=True)
    except Exception:  # noqa: BLE001 - the change is committed; the outbox keeps the message
        current_app.logger.exception("Could not send queued mail")
        db.session.rollback()
