"""The service in this process, and a Flask test client signed in through its sign-in page."""

import re

from flask import Flask
from flask.testing import FlaskClient

from bench.database import AUDIT_CHAIN_KEY, SECRET_KEY, password

_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def service(url: str) -> Flask:
    from tracker import create_app

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "ENV": "development",
            "SECRET_KEY": SECRET_KEY,
            "AUDIT_CHAIN_KEY": AUDIT_CHAIN_KEY,
        }
    )


def signed_in(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    page = client.get("/sign-in")
    token = _TOKEN.search(page.get_data(as_text=True))
    if token is None:
        raise RuntimeError("no CSRF token on the sign-in page")
    response = client.post(
        "/sign-in", data={"csrf_token": token.group(1), "email": email, "password": password()}
    )
    if response.status_code != 302:
        raise RuntimeError(f"could not sign in as {email}: {response.status_code}")
    return client
