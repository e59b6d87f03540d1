"""Signed-in 50-row list pages (allocations, the review queue) served by gunicorn, against the
bare ceiling app (bench/ceiling_app.py) served by the same gunicorn settings from the same
database, each loaded by wrk for the same time with the same connections."""

import os
import re
import socket
import statistics
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.database import OUT, ROOT, environment, password

PAGES = {"Allocations": "/allocations", "Review queue": "/returns"}
# A deep page of each list, as a person reaches it by following Next: the row before it, by
# the list's own key (see tracker/data/pagination.py). Page 501 at department scale.
DEEP_PAGE = 501
DEEP_KEYS = {
    "/allocations": "SELECT awarded_on, id FROM allocation ORDER BY awarded_on DESC, id DESC",
    "/returns": "SELECT due_on, id FROM milestone_return WHERE status = 'submitted'"
    " ORDER BY due_on, id",
}
USER_AGENT = "hht-bench/1 (wrk)"
_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0}


def workers() -> int:
    """gunicorn.conf.py's rule, 2 x cores + 1, unless WEB_CONCURRENCY says otherwise."""
    return int(os.environ.get("WEB_CONCURRENCY") or (os.cpu_count() or 1) * 2 + 1)


@dataclass
class Load:
    requests_per_second: float
    p50_seconds: float
    p99_seconds: float
    requests: int
    not_ok: int  # responses other than 200 in gunicorn's access log


@dataclass
class ListFigure:
    page: str
    path: str
    rows: int
    service: Load
    ceiling: Load
    deep_path: str = ""
    deep: Load | None = None  # the service's deep page, loaded as page 1 was

    @property
    def deep_ratio(self) -> float | None:
        """The deep page's median latency over page 1's (target: 1.5 at most)."""
        if self.deep is None:
            return None
        return self.deep.p50_seconds / self.service.p50_seconds

    @property
    def throughput_share(self) -> float:
        return self.service.requests_per_second / self.ceiling.requests_per_second

    @property
    def p99_ratio(self) -> float:
        return self.service.p99_seconds / self.ceiling.p99_seconds

    @property
    def met(self) -> bool:
        return self.throughput_share >= 0.7 and self.p99_ratio <= 2.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn with the service's settings (gunicorn.conf.py: sync workers, access log) on a
    free 127.0.0.1 port; its access log goes to a file so every response can be checked."""

    def __init__(self, url: str, app: str, name: str):
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = OUT / f"gunicorn-{name}.log"
        OUT.mkdir(parents=True, exist_ok=True)
        env = environment(url, BIND=f"127.0.0.1:{self.port}", WEB_CONCURRENCY=str(workers()))
        self.log = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [str(Path(os.sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py", app],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn {app} stopped: see {self.log_path}")
            try:
                httpx.get(self.base + "/sign-in", timeout=2)
                return
            except httpx.TransportError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn {app} did not answer within 60 seconds")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # the master stops its workers
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()

    def statuses(self) -> list[str]:
        self.log.flush()
        found = []
        for line in self.log_path.read_text(errors="replace").splitlines():
            match = re.search(r'" (\d{3}) ', line)
            if match:
                found.append(match.group(1))
        return found

    def sign_in(self, email: str) -> str:
        """Signs in through the app's own page; the session cookie's value."""
        with httpx.Client(base_url=self.base, headers={"User-Agent": USER_AGENT}) as client:
            page = client.get("/sign-in")
            token = _TOKEN.search(page.text)
            data = {"email": email, "password": password()}
            if token:
                data["csrf_token"] = token.group(1)
            response = client.post("/sign-in", data=data)
            if response.status_code != 302:
                raise RuntimeError(f"could not sign in as {email} at {self.base}")
            return client.cookies["session"]

    def page(self, path: str, cookie: str) -> str:
        response = httpx.get(
            self.base + path,
            headers={"User-Agent": USER_AGENT, "Cookie": f"session={cookie}"},
            timeout=60,
        )
        if response.status_code != 200:
            raise RuntimeError(f"{self.base}{path} answered {response.status_code}")
        return response.text


def _seconds(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s)", text)
    if not match:
        raise ValueError(f"cannot read the latency {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def parse_wrk(output: str) -> tuple[float, float, float, int]:
    """Requests per second, p50 and p99 latency (seconds), and the number of requests."""
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = _seconds(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1))
    p99 = _seconds(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1))
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    return rate, p50, p99, requests


def wrk(server: Server, path: str, cookie: str, *, seconds: int, connections: int) -> Load:
    before = len(server.statuses())
    result = subprocess.run(
        [
            "wrk",
            "--latency",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "30s",
            "-H",
            f"Cookie: session={cookie}",
            "-H",
            f"User-Agent: {USER_AGENT}",
            server.base + path,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    rate, p50, p99, requests = parse_wrk(result.stdout)
    time.sleep(0.5)  # the access log's last lines
    statuses = server.statuses()[before:]
    return Load(rate, p50, p99, requests, sum(1 for s in statuses if s != "200"))


def deep_path(url: str, path: str) -> tuple[str, int]:
    """The address of a deep page of the list, and its number: page 501 where the list is that
    long, else the deepest whole page there is."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            keys = [tuple(r) for r in connection.execute(sa.text(DEEP_KEYS[path]))]
    finally:
        engine.dispose()
    page = max(2, min(DEEP_PAGE, len(keys) // 50))
    if len(keys) < 51:
        return path, 1
    before = keys[(page - 1) * 50 - 1]
    key = "_".join(v.isoformat() if hasattr(v, "isoformat") else str(v) for v in before)
    return f"{path}?page={page}&after={key}", page


def _rows_on(html: str) -> int:
    return html.count("<tr") - 1  # less the header row


def _median(loads: list[Load]) -> Load:
    return Load(
        statistics.median(load.requests_per_second for load in loads),
        statistics.median(load.p50_seconds for load in loads),
        statistics.median(load.p99_seconds for load in loads),
        sum(load.requests for load in loads),
        sum(load.not_ok for load in loads),
    )


def run(
    url: str,
    email: str,
    *,
    seconds: int,
    rounds: int,
    connections: int,
    warm: bool = True,
    log=print,
) -> list[ListFigure]:
    """Both servers run at once but are loaded in turn (never together), `rounds` times each,
    alternating, so that other work on the machine falls on both alike. Each load is warmed up
    by one of a second first, unless `warm` is False (--quick, where no figure is judged)."""
    service = Server(url, "wsgi:app", "service")
    try:
        ceiling = Server(url, "bench.ceiling_app:app", "ceiling")
    except BaseException:
        service.stop()
        raise
    figures = []
    try:
        cookies = {service: service.sign_in(email), ceiling: ceiling.sign_in(email)}
        for title, path in PAGES.items():
            rows = _rows_on(service.page(path, cookies[service]))
            ceiling_rows = _rows_on(ceiling.page(path, cookies[ceiling]))
            if rows != ceiling_rows:
                raise RuntimeError(
                    f"{path}: the service shows {rows} rows, the ceiling {ceiling_rows}"
                )
            loads = {service: [], ceiling: []}
            for server in (service, ceiling) if warm else ():  # imports, templates, the cache
                wrk(server, path, cookies[server], seconds=1, connections=connections)
            for _ in range(rounds):
                for server in (service, ceiling):
                    loads[server].append(
                        wrk(server, path, cookies[server], seconds=seconds, connections=connections)
                    )
            deep, number = deep_path(url, path)
            deep_loads = []
            if number > 1:
                if _rows_on(service.page(deep, cookies[service])) < 1:
                    raise RuntimeError(f"{deep}: no rows on the deep page")
                if warm:
                    wrk(service, deep, cookies[service], seconds=1, connections=connections)
                for _ in range(rounds):
                    deep_loads.append(
                        wrk(
                            service,
                            deep,
                            cookies[service],
                            seconds=seconds,
                            connections=connections,
                        )
                    )
            for server in (service, ceiling):
                server.page(path, cookies[server])  # still signed in after the load
            figure = ListFigure(
                title,
                path,
                rows,
                _median(loads[service]),
                _median(loads[ceiling]),
                deep if deep_loads else "",
                _median(deep_loads) if deep_loads else None,
            )
            log(
                f"  {title}: service {figure.service.requests_per_second:.0f} req/s p99 "
                f"{figure.service.p99_seconds * 1000:.0f} ms; ceiling "
                f"{figure.ceiling.requests_per_second:.0f} req/s p99 "
                f"{figure.ceiling.p99_seconds * 1000:.0f} ms"
                + (
                    f"; page {number}: p50 {figure.deep.p50_seconds * 1000:.0f} ms "
                    f"(x{figure.deep_ratio:.2f} of page 1)"
                    if figure.deep
                    else ""
                )
            )
            figures.append(figure)
    finally:
        service.stop()
        ceiling.stop()
    return figures
