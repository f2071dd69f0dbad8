"""The weekly link check, offline: a local HTTP server on 127.0.0.1 stands in for the web.

Records link only to https addresses; the tests' opener sends each request to the local
server instead, keeping the record's host in the Host header, so the checker's per-host
limit and its reading of answers are exercised over real sockets.
"""

from __future__ import annotations

import socket
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from contextlib import AbstractContextManager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import pytest

from studydigest.editors.linkcheck import Opener, check_links


class Web:
    """What the local server saw: requests open at once, per host and in all."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.open: Counter[str] = Counter()
        self.most: Counter[str] = Counter()
        self.most_in_all = 0
        self.methods: list[tuple[str, str]] = []
        self.release = threading.Event()  # lets /hang answer, at teardown

    def enter(self, host: str, method: str, path: str) -> None:
        with self.lock:
            self.methods.append((method, path))
            self.open[host] += 1
            self.most[host] = max(self.most[host], self.open[host])
            self.most_in_all = max(self.most_in_all, sum(self.open.values()))

    def leave(self, host: str) -> None:
        with self.lock:
            self.open[host] -= 1


def handler(web: Web) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def answer(self) -> None:
            host = self.headers.get("Host", "")
            web.enter(host, self.command, self.path)
            try:
                if self.path.startswith("/slow"):
                    time.sleep(0.3)
                if self.path == "/hang":
                    web.release.wait(10)
                if self.path == "/missing":
                    status = 404
                elif self.path == "/no-head" and self.command == "HEAD":
                    status = 405
                else:
                    status = 200
            finally:
                web.leave(host)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_HEAD = answer  # the names http.server calls
        do_GET = answer

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep the test output quiet

    return Handler


@pytest.fixture
def web() -> Iterator[tuple[Web, Opener]]:
    seen = Web()
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler(seen))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    port = server.server_address[1]
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never a proxy

    def local(request: urllib.request.Request, timeout: float) -> AbstractContextManager[Any]:
        parts = urlsplit(request.full_url)
        assert parts.scheme == "https" and parts.hostname
        here = urllib.request.Request(
            f"http://127.0.0.1:{port}{parts.path}",
            method=request.get_method(),
            headers={**request.headers, "Host": parts.hostname},
        )
        opened: AbstractContextManager[Any] = direct.open(here, timeout=timeout)
        return opened

    yield seen, local
    seen.release.set()
    server.shutdown()
    server.server_close()
    thread.join(5)


def test_broken_links_are_reported_with_their_reason_in_the_records_order(
    web: tuple[Web, Opener],
) -> None:
    seen, opener = web
    urls = [
        "https://journal.test/missing",
        "http://journal.test/ok",
        "https://journal.test/ok",
        "https://publisher.test/no-head",
        "https://doi.test/missing",
    ]
    assert check_links(urls, timeout=5, opener=opener) == [
        ("https://journal.test/missing", "HTTP 404"),
        ("http://journal.test/ok", "not an https link"),
        ("https://doi.test/missing", "HTTP 404"),
    ]
    # A publisher that refuses HEAD is asked again with GET, and then counts as answering.
    assert seen.methods.count(("GET", "/no-head")) == 1
    assert ("GET", "/ok") not in seen.methods  # HEAD was enough


def test_a_host_that_does_not_answer_is_reported() -> None:
    with socket.socket() as sock:  # a port on 127.0.0.1 that nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def refused(request: urllib.request.Request, timeout: float) -> AbstractContextManager[Any]:
        opened: AbstractContextManager[Any] = direct.open(
            f"http://127.0.0.1:{port}/", timeout=timeout
        )
        return opened

    [(url, reason)] = check_links(["https://gone.test/"], timeout=5, opener=refused)
    assert url == "https://gone.test/" and "refused" in reason.lower()


def test_links_are_checked_side_by_side_but_at_most_two_per_host(
    web: tuple[Web, Opener],
) -> None:
    seen, opener = web
    urls = [
        f"https://{host}.test/slow/{i}" for host in ("doi", "pubmed", "trials") for i in range(4)
    ]
    started = time.monotonic()
    assert check_links(urls, timeout=10, per_host=2, workers=6, opener=opener) == []
    elapsed = time.monotonic() - started
    assert set(seen.most) == {"doi.test", "pubmed.test", "trials.test"}
    assert max(seen.most.values()) <= 2  # never more than two at once at one host
    assert seen.most_in_all > 2  # but hosts are asked at the same time
    assert elapsed < 12 * 0.3  # faster than one after another


def test_the_run_stops_at_its_time_budget(web: tuple[Web, Opener]) -> None:
    _, opener = web
    urls = ["https://slow.test/hang", "https://fast.test/ok"]
    started = time.monotonic()
    found = check_links(urls, timeout=10, budget=0.5, opener=opener)
    assert time.monotonic() - started < 5  # not the request's 10 s timeout
    assert found == [
        ("https://slow.test/hang", "not checked: the run's 0.5 s budget was spent first")
    ]
