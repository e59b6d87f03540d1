"""How the hostile tests post a form and judge the answer: each example in its own savepoint
(rolled back after it, so the next starts clean), a fingerprint of every table before and after,
and the checks every answer must pass (no 5xx, no payload shown back raw)."""

import contextlib
import hashlib
import io
import re
import weakref
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

from bs4 import BeautifulSoup
from sqlalchemy import event, select

from tests.conftest import Browser, page_read
from tests.hostile.cases import Case, Context
from tests.hostile.strategies import contains_markup

# What a refusal may answer with: the form again (200, or 429 for throttled sign-in), a GOV.UK
# error page (400 for a missing or wrong CSRF token, 404, 413 for a body over the limit).
REFUSALS = {200, 400, 404, 413, 422, 429}


@dataclass
class Tally:
    """What the hostile tests tried, for tests/RELIABILITY.md."""

    posts: int = 0
    server_errors: int = 0
    rows_stored_from_refusals: int = 0
    accepted: int = 0
    refused: int = 0
    seen: set = field(default_factory=set)

    def record(self, reliability, prefix: str = "inputs tried") -> None:
        reliability.record("hostile input", prefix, self.posts)
        reliability.record("hostile input", "hostile inputs accepted", self.accepted)
        reliability.record("hostile input", "hostile inputs refused", self.refused)
        reliability.record("hostile input", "5xx responses", self.server_errors)
        reliability.record(
            "hostile input", "rows stored from refused forms", self.rows_stored_from_refusals
        )


def fingerprint(session, leave_out: frozenset = frozenset()) -> dict[str, tuple[int, str]]:
    """Every table's row count and a digest of its rows (all columns, in key order).

    Reading every table is most of a hostile example's time, and most examples leave the
    database as the last one found it: each statement that may change a row gives the data a
    new version, and a rollback puts back the version of what it went back to (`_Versions`).
    Each version is read once; asked again, the fingerprint already read is given."""
    from tracker.extensions import db

    connection = session.connection()
    versions = _Versions.of(connection.engine)
    key = (versions.version(connection), leave_out)
    if key in versions.prints:
        return dict(versions.prints[key])
    prints = {}
    for table in db.metadata.sorted_tables:
        if table.name in leave_out:
            continue
        rows = session.execute(select(table).order_by(*table.primary_key.columns)).all()
        digest = hashlib.sha256(repr([tuple(row) for row in rows]).encode()).hexdigest()
        prints[table.name] = (len(rows), digest)
    versions.prints[key] = dict(prints)
    return prints


# Statements that cannot change a row (a rollback is followed through the engine's events);
# any other statement is taken to have changed the data.
_READS = ("SELECT", "SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT", "PRAGMA", "SHOW")


class _Versions:
    """The version of the data each of an engine's connections sees: new with every statement
    that may change a row, on any connection (another's write may become visible); on a
    rollback, the version the connection had when the transaction or savepoint it rolled back
    to began (and a new one for every other connection, to be safe)."""

    _engines: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()

    def __init__(self, engine):
        self.made = 0
        self.seen: dict = {}  # connection id -> the version of the data it sees
        self.at_begin: dict = {}  # connection id -> its version when its transaction began
        self.at_savepoint: dict = {}  # (connection id, savepoint name) -> its version then
        self.prints: dict = {}  # (version, tables left out) -> fingerprint
        event.listen(engine, "engine_connect", self._connect)
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(engine, "begin", self._begin)
        event.listen(engine, "rollback", self._rollback)
        event.listen(engine, "rollback_savepoint", self._rollback_savepoint)

    @classmethod
    def of(cls, engine) -> "_Versions":
        if engine not in cls._engines:
            cls._engines[engine] = cls(engine)
        return cls._engines[engine]

    def version(self, conn) -> int:
        if id(conn) not in self.seen:
            self.seen[id(conn)] = self._new()
        return self.seen[id(conn)]

    def _new(self) -> int:
        self.made += 1
        return self.made

    def _everyone_changes(self) -> None:
        for connection in self.seen:
            self.seen[connection] = self._new()

    def _connect(self, conn) -> None:
        self.seen[id(conn)] = self._new()  # a new Connection object, whatever its id was

    def _statement(self, conn, _cursor, statement, *_args) -> None:
        said = statement.lstrip().upper()
        if said.startswith("SAVEPOINT "):
            # Its name is known only here (the savepoint event is told None).
            self.at_savepoint[(id(conn), said.split()[1])] = self.version(conn)
        elif not said.startswith(_READS):
            self._everyone_changes()

    def _begin(self, conn) -> None:
        self.at_begin[id(conn)] = self.version(conn)

    def _rollback(self, conn) -> None:
        back_to = self.at_begin.pop(id(conn), None)
        self._everyone_changes()
        if back_to is not None:
            self.seen[id(conn)] = back_to

    def _rollback_savepoint(self, conn, name, _context) -> None:
        back_to = self.at_savepoint.get((id(conn), str(name).upper()))
        self._everyone_changes()
        if back_to is not None:
            self.seen[id(conn)] = back_to


def changed_tables(before: dict, after: dict) -> dict[str, int]:
    """The tables that differ, with how many rows more (or fewer, or 1 when rows changed)."""
    return {
        name: (after[name][0] - before[name][0]) or 1
        for name in before
        if before[name] != after[name]
    }


@contextlib.contextmanager
def example_savepoint(session):
    """One hypothesis example: whatever it writes (the set-up and the app's commits, which the
    `transaction` fixture turns into savepoint releases) is rolled back at its end."""
    session.rollback()
    savepoint = session.bind.begin_nested()
    try:
        yield
    finally:
        session.rollback()
        session.expunge_all()
        savepoint.rollback()


def url_of(app, endpoint: str, values: dict) -> str:
    return app.url_map.bind("localhost").build(endpoint, values)


@dataclass
class Prepared:
    url: str
    page_html: str
    answer: dict  # name -> list of values (or a (bytes, filename) for a file)


def prepare(app, case: Case, ctx: Context) -> Prepared:
    """Sets up the thing the form is about and reads the valid answer off its page."""
    values = case.values(ctx)
    ctx.session.commit()
    url = url_of(app, case.endpoint, values)
    page_url = case.form_page(values) if case.form_page else url
    page = ctx.visitor.get(page_url)
    assert page.status_code == 200, f"{case.endpoint}: the form page {page_url} is not there"
    html = page.get_data(as_text=True)
    answer: dict = dict(form_on(html, url))
    for name, value in case.answers.items():
        answer[name] = value if isinstance(value, list | tuple) else [value]
    if case.answers_from_page is not None:
        for name, value in case.answers_from_page(html).items():
            answer[name] = [value]
    for prefix, value in case.answer_prefixes.items():
        for name in list(answer):
            if name.startswith(prefix):
                if value is None:
                    offered = [o for o in options_on(html, name) if o]
                    answer[name] = offered[:1]
                else:
                    answer[name] = [value]
    return Prepared(url, html, answer)


def kind_of(case: Case, name: str, answer: dict) -> str:
    if name in case.kinds:
        return case.kinds[name]
    for prefix, kind in case.kinds.items():
        if prefix.endswith("_") and name.startswith(prefix):
            return kind
    if isinstance(answer.get(name), list) and len(answer[name]) == 3:
        return "date"
    return "text"


def post(visitor: Browser, case: Case, url: str, answer: dict):
    """Posts the answer as a browser would: urlencoded (bytes sent as they are, so what is not
    UTF-8 reaches the server), or multipart for a form with a file."""
    if case.upload:
        data = []
        for name, value in answer.items():
            if name == case.upload and isinstance(value, tuple):
                content, filename = value
                data.append((name, (io.BytesIO(content), filename)))
                continue
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, bytes):
                    item = item.decode("utf-8", "replace")
                data.append((name, item))
        from werkzeug.datastructures import MultiDict

        return visitor.client.post(url, data=MultiDict(data), content_type="multipart/form-data")
    pairs = []
    for name, value in answer.items():
        for item in value if isinstance(value, list) else [value]:
            pairs.append((name, item))
    return visitor.client.post(
        url, data=urlencode(pairs), content_type="application/x-www-form-urlencoded"
    )


def raw_payloads_in(response, posted: dict) -> list[str]:
    """Markup that was posted and came back unescaped, or an element the poster made."""
    body = response.get_data(as_text=True)
    found = [p for value in posted.values() for p in contains_markup(value) if p in body]
    soup = page_read(response)
    for tag in soup.find_all(True):
        for attribute in tag.attrs:
            if attribute.lower().startswith("on"):
                found.append(f"<{tag.name} {attribute}=...>")
    return found


def follow(visitor: Browser, response):
    """The page a redirect leads to (on this site only), read as the person would see it."""
    location = response.headers.get("Location", "")
    parts = urlsplit(location)
    assert not parts.netloc or parts.netloc == "localhost", f"redirect off the site: {location}"
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return visitor.get(path)


def has_error_message(response) -> bool:
    soup = page_read(response)
    return bool(
        soup.select(".govuk-error-summary, .govuk-error-message")
        or (soup.h1 and response.status_code >= 400)
    )


# --- reading the form a page shows ------------------------------------------------------------


def form_on(page_html: str, action: str) -> dict[str, list[str]]:
    """What the page's POST form for `action` would send as it stands: every input, select and
    textarea, by name (a name used more than once, like a date's parts, keeps each value)."""
    soup = BeautifulSoup(page_html, "html.parser")
    forms = soup.find_all("form", method=re.compile("post", re.I))
    chosen = [f for f in forms if (f.get("action") or "") == action]
    if not chosen:
        chosen = [f for f in forms if not f.get("action")]
    assert chosen, f"no form posting to {action} on the page"
    values: dict[str, list[str]] = {}
    for control in chosen[0].find_all(["input", "select", "textarea"]):
        name = control.get("name")
        if not name:
            continue
        if control.name == "select":
            chosen_option = control.find("option", selected=True) or control.find("option")
            values.setdefault(name, []).append(
                chosen_option.get("value", "") if chosen_option else ""
            )
        elif control.name == "textarea":
            values.setdefault(name, []).append(control.get_text())
        elif control.get("type") in {"checkbox", "radio"}:
            values.setdefault(name, [])
            if control.has_attr("checked"):
                values[name].append(control.get("value", "y"))
        elif control.get("type") == "file":
            values.setdefault(name, [])
        else:
            values.setdefault(name, []).append(control.get("value", ""))
    return values


def options_on(page_html: str, name: str) -> list[str]:
    """The values a select or radio group offers."""
    soup = BeautifulSoup(page_html, "html.parser")
    select_tag = soup.find("select", attrs={"name": name})
    if select_tag is not None:
        return [o.get("value", "") for o in select_tag.find_all("option")]
    return [r.get("value") for r in soup.find_all("input", attrs={"name": name, "type": "radio"})]
