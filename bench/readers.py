"""A reader beside a running summary or export (issue 13): the allocations list's p99 while the
minister's summary, or the largest export, runs over and over in another worker, against its
p99 alone. Target: beside ≤ 2 × alone.

The service runs under gunicorn with its own settings (bench/lists.py's Server); a programme
officer's allocations list is loaded by wrk, exactly as the list benchmark loads it, first alone
and then while one more browser (the minister's office) fetches the heavy page again and again,
streaming it to nowhere. Rounds alternate alone and beside, so other work on the machine falls on
both alike. What it shows: on SQLite, reads take no write lock (a GET begins a deferred
transaction), so a reader never queues behind a long export; what is left is the CPU the heavy
request takes from the others."""

import statistics
import threading
import time
from dataclasses import dataclass

import httpx

from bench.lists import USER_AGENT, Load, Server, _median, wrk

READER = ("Allocations", "/allocations")
HEAVY = {"The minister's summary": "/summary", "The largest export": "/exports/returns.csv"}
TARGET = 2.0


@dataclass
class BesideFigure:
    page: str
    heavy: str
    heavy_path: str
    alone: Load
    beside: Load
    heavy_runs: int  # how many times the heavy page was fetched to the end meanwhile
    heavy_seconds: float  # the median time it took
    heavy_not_ok: int

    @property
    def ratio(self) -> float:
        return self.beside.p99_seconds / self.alone.p99_seconds

    @property
    def met(self) -> bool:
        return self.ratio <= TARGET


class Repeating(threading.Thread):
    """One browser fetching `path` again and again until told to stop."""

    def __init__(self, server: Server, path: str, cookie: str):
        super().__init__(daemon=True)
        self.url, self.cookie = server.base + path, cookie
        self.stop = threading.Event()
        self.times: list[float] = []
        self.not_ok = 0

    def run(self) -> None:
        headers = {"User-Agent": USER_AGENT, "Cookie": f"session={self.cookie}"}
        with httpx.Client(headers=headers, timeout=600) as client:
            while not self.stop.is_set():
                started = time.perf_counter()
                try:
                    with client.stream("GET", self.url) as response:
                        for _ in response.iter_bytes(1 << 16):
                            pass
                    self.not_ok += response.status_code != 200
                except httpx.HTTPError:
                    self.not_ok += 1
                self.times.append(time.perf_counter() - started)


def run(
    url: str,
    officer: str,
    viewer: str,
    *,
    seconds: int,
    rounds: int,
    connections: int,
    warm: bool = True,
    log=print,
) -> list[BesideFigure]:
    service = Server(url, "wsgi:app", "beside")
    figures = []
    try:
        reader_cookie, heavy_cookie = service.sign_in(officer), service.sign_in(viewer)
        title, path = READER
        service.page(path, reader_cookie)
        if warm:  # not with --quick, where no figure is judged
            wrk(service, path, reader_cookie, seconds=1, connections=connections)
        for heavy, heavy_path in HEAVY.items():
            service.page(heavy_path, heavy_cookie)  # it answers, and its first run is not timed
            alone, beside, runs, not_ok = [], [], [], 0
            for _ in range(rounds):
                alone.append(
                    wrk(service, path, reader_cookie, seconds=seconds, connections=connections)
                )
                running = Repeating(service, heavy_path, heavy_cookie)
                running.start()
                time.sleep(0.2)  # it has started: the reader meets it in flight
                beside.append(
                    wrk(service, path, reader_cookie, seconds=seconds, connections=connections)
                )
                running.stop.set()
                running.join(600)
                runs += running.times
                not_ok += running.not_ok
            figure = BesideFigure(
                title,
                heavy,
                heavy_path,
                _median(alone),
                _median(beside),
                len(runs),
                statistics.median(runs) if runs else 0.0,
                not_ok,
            )
            log(
                f"  {title} beside {heavy.lower()}: p99 {figure.beside.p99_seconds * 1000:.0f} ms "
                f"against {figure.alone.p99_seconds * 1000:.0f} ms alone ({figure.ratio:.1f} ×)"
            )
            figures.append(figure)
    finally:
        service.stop()
    return figures


def verdicts(result: dict) -> list[str]:
    out = []
    for f in result.get("readers") or []:
        ratio = f["beside"]["p99_seconds"] / f["alone"]["p99_seconds"]
        out.append(
            f"{f['page']} list beside {f['heavy'][0].lower()}{f['heavy'][1:]}: "
            + ("met" if ratio <= TARGET else "**missed**")
            + f": p99 {ratio:.1f} × its p99 alone (target {TARGET:.0f} ×)."
        )
    return out


def table(result: dict) -> list[str]:
    from bench.timing import ms

    s = result["settings"]
    lines = [
        "### A reader beside a running summary or export",
        "",
        f"The allocations list loaded by wrk (2 threads, {s['connections']} connections, "
        f"{s['seconds']} s, median of {s['rounds']} rounds) alone, and while another browser "
        "fetches the heavy page again and again; rounds alternate.",
        "",
        "| Reader | Beside | p99 alone | p99 beside | Ratio (≤ 2) | Req/s alone | Req/s beside "
        "| Heavy page runs (median time) | Non-200 | Met |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for f in result["readers"]:
        alone, beside = f["alone"], f["beside"]
        ratio = beside["p99_seconds"] / alone["p99_seconds"]
        lines.append(
            f"| {f['page']} | {f['heavy']} (`{f['heavy_path']}`) | {ms(alone['p99_seconds'])} | "
            f"{ms(beside['p99_seconds'])} | {ratio:.1f} | {alone['requests_per_second']:,.0f} | "
            f"{beside['requests_per_second']:,.0f} | {f['heavy_runs']} "
            f"({ms(f['heavy_seconds'])}) | "
            f"{alone['not_ok'] + beside['not_ok'] + f['heavy_not_ok']} | "
            f"{'yes' if ratio <= TARGET else '**no**'} |"
        )
    return lines
