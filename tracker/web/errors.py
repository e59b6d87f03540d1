"""GOV.UK error pages for 400, 403, 404, 405, 429, 500 and 503; an expired form is a friendly
message; the database being unavailable is a 503 "try again later", not a 500."""

import contextlib

from flask import Flask, g, jsonify, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

from tracker.extensions import db, login_manager
from tracker.web.outage import RETRY_AFTER_SECONDS, database_unavailable

API_PREFIX = "/api/"
PAGES = {
    400: ("errors/400.html", "There is a problem with your request"),
    403: ("errors/403.html", "You do not have permission to see this page"),
    404: ("errors/404.html", "Page not found"),
    405: ("errors/400.html", "There is a problem with your request"),
    413: ("errors/413.html", "The file is too big"),
    429: ("errors/429.html", "Too many requests"),
    500: ("errors/500.html", "Sorry, there is a problem with the service"),
    503: ("errors/503.html", "Sorry, there is a problem with the service"),
}


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return _page("errors/csrf.html", "Your form has expired", 400)

    @app.errorhandler(HTTPException)
    def http_error(error):
        template, title = PAGES.get(error.code, PAGES[400])
        if request.path.startswith(API_PREFIX):
            # A program reading the API is answered in JSON, never with a page.
            response = jsonify({"error": title})
            response.status_code = error.code
        else:
            # A message of our own (abort(400, description=...)) is shown; werkzeug's isn't.
            detail = error.description if error.description != type(error).description else None
            response = make_response(
                _page(template, title, error.code, error=error, detail=detail)
            )
        # RFC 9110: a 405 says which methods the resource has.
        if error.code == 405 and getattr(error, "valid_methods", None):
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def database_error(error):
        if not database_unavailable(error):
            return unexpected_error(error)
        app.logger.error("The database is unavailable: %s", error)
        return unavailable_page()

    @app.errorhandler(Exception)
    def unexpected_error(error):
        app.logger.exception("Unhandled error")
        with contextlib.suppress(OperationalError, InterfaceError):
            db.session.rollback()
        template, title = PAGES[500]
        return _page(template, title, 500)


def _page(template: str, title: str, status: int, **context):
    """An error page; if drawing it needs the database (the signed-in user's name) and the
    database is unavailable, the 503 page instead of an error inside the error handler."""
    try:
        return render_template(template, title=title, **context), status
    except (OperationalError, InterfaceError) as error:
        if not database_unavailable(error):
            raise
        return unavailable_page()


def unavailable_page():
    """The GOV.UK "try again later" page, drawn without touching the database: the session is
    rolled back (its connection is returned to the pool, which tests it before its next use, so
    the service recovers by itself when the database is back), and the page is drawn as if no
    one were signed in (loading the user would need the database)."""
    with contextlib.suppress(OperationalError, InterfaceError):
        db.session.rollback()
    g._login_user = login_manager.anonymous_user()
    template, title = PAGES[503]
    response = make_response(render_template(template, title=title), 503)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
