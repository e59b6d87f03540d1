"""GOV.UK error pages for 400, 403, 404, 405, 429 and 500; an expired form is a friendly message."""

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from tracker.extensions import db

PAGES = {
    400: ("errors/400.html", "There is a problem with your request"),
    403: ("errors/403.html", "You do not have permission to see this page"),
    404: ("errors/404.html", "Page not found"),
    405: ("errors/400.html", "There is a problem with your request"),
    413: ("errors/413.html", "The file is too big"),
    429: ("errors/429.html", "Too many requests"),
    500: ("errors/500.html", "Sorry, there is a problem with the service"),
}


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_template("errors/csrf.html", title="Your form has expired"), 400

    @app.errorhandler(HTTPException)
    def http_error(error):
        template, title = PAGES.get(error.code, PAGES[400])
        return render_template(template, title=title, error=error), error.code

    @app.errorhandler(Exception)
    def unexpected_error(error):
        app.logger.exception("Unhandled error")
        db.session.rollback()
        template, title = PAGES[500]
        return render_template(template, title=title), 500
