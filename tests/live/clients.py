"""Real HTTP clients for the live server: each its own httpx.Client and cookie jar, signing in
through the sign-in page as a person would (CSRF token read from the page), and a way to start
many of them at the same moment."""

import re
import threading
from collections.abc import Callable

import httpx
from bs4 import BeautifulSoup

from tests.conftest import DEMO_PASSWORD

TIMEOUT = 180  # seconds: a client still waiting after this is a hang, not a slow test
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def page_text(response: httpx.Response) -> str:
    return " ".join(BeautifulSoup(response.text, "html.parser").get_text(" ").split())


def csrf_token(response: httpx.Response) -> str:
    match = CSRF.search(response.text)
    assert match, f"no CSRF token on {response.request.url} ({response.status_code})"
    return match.group(1)


def hidden_value(response: httpx.Response, name: str) -> str:
    field = BeautifulSoup(response.text, "html.parser").find("input", attrs={"name": name})
    assert field is not None, f"no {name} field on {response.request.url}"
    return field["value"]


class WebClient:
    """One person at one browser."""

    def __init__(self, base_url: str, email: str | None = None):
        self.email = email
        self.http = httpx.Client(base_url=base_url, timeout=TIMEOUT, follow_redirects=False)

    def sign_in(self, email: str | None = None, password: str = DEMO_PASSWORD) -> None:
        self.email = email or self.email
        page = self.http.get("/sign-in")
        response = self.http.post(
            "/sign-in",
            data={"csrf_token": csrf_token(page), "email": self.email, "password": password},
        )
        assert response.status_code == 302, (self.email, response.status_code, page_text(response))

    def get(self, url: str, **kwargs) -> httpx.Response:
        return self.http.get(url, **kwargs)

    def post(self, url: str, data: dict, **kwargs) -> httpx.Response:
        return self.http.post(url, data=data, **kwargs)

    def twin(self) -> "WebClient":
        """A second connection with the same session cookie: the same person's double click."""
        other = WebClient(str(self.http.base_url), self.email)
        other.http.cookies = httpx.Cookies(self.http.cookies)
        return other

    def close(self) -> None:
        self.http.close()


def run_together(work: Callable, arguments: list[tuple]) -> list:
    """Runs work(*args) in one thread per entry, all released at once by a barrier; returns what
    each returned (or the exception it raised), in order. Every thread must finish."""
    barrier = threading.Barrier(len(arguments), timeout=TIMEOUT)
    results: list = [None] * len(arguments)

    def run(index: int, args: tuple) -> None:
        try:
            barrier.wait()
            results[index] = work(*args)
        except BaseException as error:  # noqa: BLE001 - reported to the test
            results[index] = error

    threads = [
        threading.Thread(target=run, args=(i, args), daemon=True)
        for i, args in enumerate(arguments)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a client never finished"
    return results


def in_parallel(work: Callable, arguments: list[tuple], width: int = 8) -> list:
    """Preparation (signing in, fetching forms) done a few at a time: not part of the race."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=width) as pool:
        return list(pool.map(lambda args: work(*args), arguments))
