"""The one polite HTTP client every watch source goes through.

Why httpx: it gives one synchronous client with connection reuse and a timeout per phase
(connect, read, write, pool), raises distinct exceptions for a timeout and for a connection that
failed (so the report can say which), and its ``MockTransport`` swaps the network for a function
that answers from recorded files, so the tests replay real response bodies without a socket or
an extra recording library. The standard library's urllib has neither the per-phase timeouts
nor the pluggable transport; requests would need a third-party add-on to replay responses.

Politeness, as each service asks:

- a contact address: Crossref's "polite pool" (``mailto``), NCBI's ``tool`` and ``email``
  parameters, and the User-Agent of every request;
- NCBI's ``api_key`` when one is set (it raises PubMed's limit from 3 to 10 requests a second);
- a minimum interval between two requests to the same source (:data:`SOURCES`);
- retries with exponential backoff on 429 and 5xx answers, timeouts and dropped connections,
  waiting as long as ``Retry-After`` asks (up to ``max_wait``; a longer wait gives up);
- after three requests in a row that could not be answered, a source is marked down and not
  asked again in this run: a service that is down gets a short, clear report, not a flood;
- an on-disk cache of good answers with a maximum age, so a rerun the same day is cheap.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from studydigest import __version__


@dataclass(frozen=True)
class Source:
    key: str
    name: str
    interval: float  # seconds between two requests to it, at least
    interval_with_key: float | None = None


# Published limits: NCBI 3 requests/s (10 with an API key); ClinicalTrials.gov about 50 a minute;
# Crossref asks for restraint (we keep to 5 a second).
SOURCES: dict[str, Source] = {
    "crossref": Source("crossref", "Crossref", 0.2),
    "clinicaltrials-gov": Source("clinicaltrials-gov", "ClinicalTrials.gov", 1.25),
    "pubmed": Source("pubmed", "PubMed (NCBI E-utilities)", 0.34, interval_with_key=0.1),
}
DOWN_AFTER = 3  # requests in a row that could not be answered before a source is marked down


class SourceError(Exception):
    """A source could not answer one request; the message says why, for the report."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{SOURCES[source].name}: {reason}")
        self.source = source
        self.reason = reason


class NotFound(Exception):
    """The source answered 404: it holds nothing under that identifier."""


class Cache:
    """Good answers on disk, one file each, reused while younger than ``max_age`` seconds."""

    def __init__(self, folder: Path, max_age: float, now: Callable[[], float] = time.time):
        self.folder = folder
        self.max_age = max_age
        self.now = now

    def _file(self, source: str, url: str) -> Path:
        digest = hashlib.sha256(url.encode("utf-8")).hexdigest()[:40]
        return self.folder / f"{source}-{digest}.json"

    def get(self, source: str, url: str) -> str | None:
        file = self._file(source, url)
        try:
            entry = json.loads(file.read_text(encoding="utf-8"))
            fresh = self.now() - float(entry["fetched"]) <= self.max_age
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if not fresh or entry.get("url") != url or not isinstance(entry.get("body"), str):
            return None
        return str(entry["body"])

    def put(self, source: str, url: str, body: str) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        entry = {"url": url, "fetched": self.now(), "body": body}
        file = self._file(source, url)
        temporary = file.with_suffix(".tmp")
        temporary.write_text(json.dumps(entry), encoding="utf-8")
        temporary.replace(file)


def retry_after(value: str | None, now: dt.datetime | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks for (a number or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - (now or dt.datetime.now(dt.UTC))).total_seconds())


class PoliteClient:
    """GET JSON from the watch sources, politely; ``transport`` replaces the network in tests."""

    def __init__(
        self,
        *,
        contact: str = "",
        ncbi_api_key: str = "",
        cache: Cache | None = None,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 20.0,
        retries: int = 3,
        max_wait: float = 120.0,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.contact = contact
        self.ncbi_api_key = ncbi_api_key
        self.cache = cache
        self.timeout = timeout
        self.retries = retries
        self.max_wait = max_wait
        self.sleep = sleep or time.sleep
        self.clock = clock or time.monotonic
        agent = f"studydigest-watch/{__version__}"
        if contact:
            agent += f" (mailto:{contact})"
        self.http = httpx.Client(
            transport=transport,
            timeout=httpx.Timeout(timeout),
            headers={"User-Agent": agent, "Accept": "application/json"},
            follow_redirects=True,
        )
        self.requests = 0  # sent over the transport (not answered from the cache)
        self._last: dict[str, float] = {}
        self._failures: dict[str, int] = {}
        self.down: dict[str, str] = {}  # source -> why it is no longer asked in this run

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> PoliteClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _polite_params(self, source: str) -> dict[str, str]:
        if source == "crossref":
            return {"mailto": self.contact} if self.contact else {}
        if source == "pubmed":
            extra = {"tool": "studydigest"}
            if self.contact:
                extra["email"] = self.contact
            if self.ncbi_api_key:
                extra["api_key"] = self.ncbi_api_key
            return extra
        return {}

    def _pace(self, source: str) -> None:
        spec = SOURCES[source]
        interval = spec.interval
        if source == "pubmed" and self.ncbi_api_key and spec.interval_with_key is not None:
            interval = spec.interval_with_key
        last = self._last.get(source)
        if last is not None:
            wait = interval - (self.clock() - last)
            if wait > 0:
                self.sleep(wait)
        self._last[source] = self.clock()

    def get_json(self, source: str, url: str, params: Mapping[str, str] | None = None) -> Any:
        """The decoded JSON answer; :class:`NotFound` on 404, :class:`SourceError` otherwise."""
        request_url = str(httpx.URL(url, params=dict(params or {})))  # the cache key: no secrets
        if source in self.down:
            raise SourceError(source, f"not asked: {self.down[source]}")
        body = self.cache.get(source, request_url) if self.cache is not None else None
        if body is None:
            body = self._fetch(source, request_url)
            data = _decode(source, body)
            if self.cache is not None:
                self.cache.put(source, request_url, body)
            return data
        return _decode(source, body)

    def _fetch(self, source: str, url: str) -> str:
        reason = "no answer"
        for attempt in range(self.retries + 1):
            self._pace(source)
            self.requests += 1
            wait = float(2**attempt)
            try:
                polite = httpx.URL(url).copy_merge_params(self._polite_params(source))
                response = self.http.get(polite)
            except httpx.TimeoutException:
                reason = f"timed out after {self.timeout:g} s"
            except httpx.TransportError as exc:
                reason = f"connection failed ({type(exc).__name__})"
            else:
                status = response.status_code
                if status == 200:
                    self._failures[source] = 0
                    return response.text
                if status == 404:
                    self._failures[source] = 0
                    raise NotFound(url)
                if status != 429 and status < 500:
                    self._failures[source] = 0
                    raise SourceError(source, f"HTTP {status} (not retried)")
                reason = f"HTTP {status}"
                asked = retry_after(response.headers.get("Retry-After"))
                if asked is not None:
                    wait = asked
            if attempt == self.retries:
                reason += f", {attempt + 1} attempts"
                break
            if wait > self.max_wait:
                reason += f"; Retry-After asked for {wait:g} s, longer than {self.max_wait:g} s"
                break
            self.sleep(wait)
        self._failures[source] = self._failures.get(source, 0) + 1
        if self._failures[source] >= DOWN_AFTER:
            self.down[source] = f"{DOWN_AFTER} requests in a row could not be answered ({reason})"
        raise SourceError(source, reason)


def _decode(source: str, body: str) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        start = " ".join(body[:40].split())
        raise SourceError(source, f"malformed response: not JSON (begins {start!r})") from None
