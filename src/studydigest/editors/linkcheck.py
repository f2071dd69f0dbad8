"""Online link check for the weekly job; besides ``watch``, nothing else touches the network.

Links are checked side by side, but never more than ``per_host`` at a time against one host
(most records link through doi.org, which should not see a burst from one job), and the whole
run has a time budget: a link still unanswered when it is spent is reported as not checked,
so the report is written before the workflow's own time limit stops the job.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from typing import Any
from urllib.parse import urlsplit

USER_AGENT = "studydigest-linkcheck/1 (+https://github.com/)"

#: Opens a request with a timeout in seconds, as ``urllib.request.urlopen`` does.
Opener = Callable[[urllib.request.Request, float], AbstractContextManager[Any]]


def _urlopen(request: urllib.request.Request, timeout: float) -> AbstractContextManager[Any]:
    opened: AbstractContextManager[Any] = urllib.request.urlopen(request, timeout=timeout)  # noqa: S310
    return opened


def check_links(
    urls: Sequence[str],
    timeout: float = 20.0,
    *,
    per_host: int = 2,
    workers: int = 8,
    budget: float = 20 * 60.0,
    opener: Opener = _urlopen,
) -> list[tuple[str, str]]:
    """Return (url, reason) for each link that does not answer with a success or redirect.

    ``timeout`` bounds each request, ``per_host`` the requests open at once to one host,
    ``workers`` those open at once in all, and ``budget`` (seconds) the whole run. The
    failures come in the order of ``urls``.
    """
    reasons: dict[str, str] = {}
    online: list[str] = []
    for url in dict.fromkeys(urls):
        if url.startswith("https://"):
            online.append(url)
        else:
            reasons[url] = "not an https link"
    if online:
        run = _check_all(online, timeout, max(1, per_host), max(1, workers), budget, opener)
        # Its own thread and event loop: a caller may already run one in this thread.
        with concurrent.futures.ThreadPoolExecutor(1) as thread:
            reasons.update(thread.submit(asyncio.run, run).result())
    return [(url, reasons[url]) for url in dict.fromkeys(urls) if url in reasons]


async def _check_all(
    urls: list[str], timeout: float, per_host: int, workers: int, budget: float, opener: Opener
) -> dict[str, str]:
    """Check ``urls`` on a pool of threads; a link waiting for its host holds no thread."""
    hosts = {url: (urlsplit(url).hostname or "").lower() for url in urls}
    limits = {host: asyncio.Semaphore(per_host) for host in hosts.values()}
    total = asyncio.Semaphore(workers)
    loop = asyncio.get_running_loop()
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="linkcheck")

    async def one(url: str) -> str | None:
        async with limits[hosts[url]], total:
            return await loop.run_in_executor(pool, check_link, url, timeout, opener)

    tasks = {url: asyncio.ensure_future(one(url)) for url in urls}
    try:
        await asyncio.wait(tasks.values(), timeout=budget)
    finally:
        for task in tasks.values():
            task.cancel()
        # Requests already sent end within their own timeout; the rest are never sent.
        pool.shutdown(wait=False, cancel_futures=True)
    reasons: dict[str, str] = {}
    for url, task in tasks.items():
        if not task.done() or task.cancelled():
            reasons[url] = f"not checked: the run's {budget:g} s budget was spent first"
        elif (reason := task.result()) is not None:
            reasons[url] = reason
    return reasons


def check_link(url: str, timeout: float = 20.0, opener: Opener = _urlopen) -> str | None:
    """Why ``url`` does not answer with a success or redirect, or None when it does."""
    for method in ("HEAD", "GET"):  # some publishers refuse HEAD
        headers = {"User-Agent": USER_AGENT}
        request = urllib.request.Request(url, method=method, headers=headers)  # noqa: S310
        try:
            with opener(request, timeout):
                return None
        except urllib.error.HTTPError as exc:
            if method == "GET" or exc.code not in {403, 405, 501}:
                return f"HTTP {exc.code}"
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            return str(getattr(exc, "reason", exc))
    return None  # not reached: GET either answers or raises
