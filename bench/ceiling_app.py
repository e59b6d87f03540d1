"""The ceiling for the signed-in list pages: a bare Flask app that signs a user in with the same
password check (argon2, `tracker.services.passwords`), keeps them in Flask's signed session
cookie, and renders the same 50 rows and the count from the same database with a plain
template. No forms, no GOV.UK layout, no ORM: one DBAPI connection per worker process.

    DATABASE_URL=... SECRET_KEY=... gunicorn -c gunicorn.conf.py bench.ceiling_app:app

Paths as the service's: /sign-in, /allocations, /returns (submitted returns, as the service's
review queue shows by default)."""

import os
import sqlite3
from datetime import date
from decimal import Decimal

from flask import Flask, abort, redirect, render_template_string, request, session
from sqlalchemy.engine import make_url

from tracker.services.passwords import verify_password

app = Flask(__name__)
app.secret_key = os.environ["SECRET_KEY"]
URL = make_url(os.environ["DATABASE_URL"])
CIVIL_SERVANTS = ("officer", "finance", "admin")
_connection = None


def _connect():
    """One connection per worker (opened after gunicorn forks), reading in autocommit."""
    global _connection
    if _connection is None:
        if URL.get_backend_name() == "sqlite":
            _connection = sqlite3.connect(URL.database, isolation_level=None)
            _connection.execute("PRAGMA busy_timeout=30000")
        else:
            import psycopg

            libpq = URL.set(drivername="postgresql").render_as_string(hide_password=False)
            _connection = psycopg.connect(libpq, autocommit=True)
    return _connection


def _query(sql: str, parameters: tuple = ()) -> list[tuple]:
    connection = _connect()
    if not isinstance(connection, sqlite3.Connection):
        sql = sql.replace("?", "%s")
    cursor = connection.cursor()
    cursor.execute(sql, parameters)
    rows = cursor.fetchall()
    cursor.close()
    return rows


def _signed_in(*roles: str) -> None:
    user_id = session.get("user_id")
    if user_id is None:
        abort(redirect("/sign-in"))
    found = _query("SELECT role, active FROM app_user WHERE id = ?", (user_id,))
    if not found or not found[0][1] or found[0][0] not in roles:
        abort(403)


def _day(value) -> str:
    value = date.fromisoformat(value) if isinstance(value, str) else value
    return f"{value.day} {value:%B %Y}"


def _pounds(pence: int) -> str:
    return f"£{Decimal(pence) / 100:,.2f}"


app.jinja_env.filters.update(day=_day, pounds=_pounds)

SIGN_IN = """<!DOCTYPE html><html lang="en"><head><title>Sign in</title></head><body>
<form method="post"><label for="email">Email</label><input id="email" name="email">
<label for="password">Password</label><input id="password" name="password" type="password">
<button>Sign in</button></form></body></html>"""

LIST = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title></head><body>
<h1>{{ title }}</h1>
<p>{{ total }} {{ noun }}{{ '' if total == 1 else 's' }}</p>
<table><thead><tr>{% for h in headers %}<th scope="col">{{ h }}</th>{% endfor %}</tr></thead>
<tbody>
{% for row in rows %}<tr>
<td><a href="{{ row.link }}">{{ row.organisation }}</a></td>
{% for cell in row.cells %}<td>{{ cell }}</td>{% endfor %}
</tr>
{% endfor %}</tbody></table>
{% if total > 50 %}<a href="?page=2" rel="next">Next</a>{% endif %}
</body></html>"""


@app.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    if request.method == "GET":
        return SIGN_IN
    email = request.form.get("email", "").strip().lower()
    found = _query(
        "SELECT id, password_hash, active FROM app_user WHERE lower(email) = ?", (email,)
    )
    password_hash = found[0][1] if found else None
    if not verify_password(password_hash, request.form.get("password", "")) or not found[0][2]:
        return SIGN_IN, 200
    session.clear()
    session["user_id"] = found[0][0]
    return redirect("/allocations")


@app.get("/allocations")
def allocations():
    _signed_in(*CIVIL_SERVANTS)
    total = _query("SELECT count(*) FROM allocation")[0][0]
    rows = _query(
        "SELECT a.id, o.name, s.name, a.status, a.awarded_on, a.amount_pence"
        " FROM allocation a JOIN organisation o ON o.id = a.organisation_id"
        " JOIN funding_stream s ON s.id = a.stream_id"
        " ORDER BY a.awarded_on DESC, a.id DESC LIMIT 50"
    )
    return render_template_string(
        LIST,
        title="Allocations",
        noun="allocation",
        total=total,
        headers=["Organisation", "Stream", "Status", "Award date", "Amount"],
        rows=[
            {
                "link": f"/allocations/{id_}",
                "organisation": organisation,
                "cells": [stream, status, _day(awarded), _pounds(amount)],
            }
            for id_, organisation, stream, status, awarded, amount in rows
        ],
    )


@app.get("/returns")
def returns():
    _signed_in("officer", "finance")
    joins = (
        " FROM milestone_return r JOIN project p ON p.id = r.project_id"
        " JOIN allocation a ON a.id = p.allocation_id"
    )
    total = _query("SELECT count(*)" + joins + " WHERE r.status = 'submitted'")[0][0]
    rows = _query(
        "SELECT r.id, o.name, s.name, r.period_start, r.period_end, r.due_on, r.status,"
        " r.self_rag" + joins + " JOIN organisation o ON o.id = a.organisation_id"
        " JOIN funding_stream s ON s.id = a.stream_id"
        " WHERE r.status = 'submitted' ORDER BY r.due_on, r.id LIMIT 50"
    )
    return render_template_string(
        LIST,
        title="Returns",
        noun="return",
        total=total,
        headers=["Organisation and project", "Period", "Due", "Status", "RAG"],
        rows=[
            {
                "link": f"/returns/{id_}",
                "organisation": f"{organisation} ({stream})",
                "cells": [
                    f"{_day(start)} to {_day(end)}",
                    _day(due),
                    status.replace("_", " ").capitalize(),
                    (rag or "–").capitalize(),
                ],
            }
            for id_, organisation, stream, start, end, due, status, rag in rows
        ],
    )
