"""Recorded answers for the watch tests (tests/fixtures/watch/routes.json) and the project they
belong to: the fixture corpus plus registrations, saved searches, an exclusion and a last run.

Every request goes to :class:`Replay`; one that no route records fails the test, so no test can
reach the network.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import httpx

from .conftest import make_project

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "watch"
MANIFEST = json.loads((FIXTURES / "routes.json").read_text(encoding="utf-8"))


class Replay:
    """An httpx transport answering from the recorded routes (``extra`` ones are tried first)."""

    def __init__(self, extra: list[dict[str, Any]] | None = None) -> None:
        self.routes = [dict(r, seen=0) for r in [*(extra or []), *MANIFEST["routes"]]]
        self.requests: list[httpx.Request] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        url = str(request.url.copy_with(query=None))
        params = dict(request.url.params)
        for route in self.routes:
            prefix = route.get("prefix")
            matched = url.startswith(route["url"]) if prefix else url == route["url"]
            wanted = route.get("params", {})
            if not matched or any(params.get(k) != v for k, v in wanted.items()):
                continue
            answers = route["answers"]
            answer = answers[min(route["seen"], len(answers) - 1)]
            route["seen"] += 1
            if answer.get("timeout"):
                raise httpx.ReadTimeout("timed out (recorded)", request=request)
            if answer.get("connect_error"):
                raise httpx.ConnectError("name resolution failed (recorded)", request=request)
            if "file" in answer:
                content = (FIXTURES / answer["file"]).read_bytes()
            else:
                content = answer.get("body", "").encode("utf-8")
            return httpx.Response(
                answer.get("status", 200), headers=answer.get("headers", {}), content=content
            )
        raise AssertionError(f"unrecorded request (tests never reach the network): {request.url}")

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handler)

    def count(self, fragment: str) -> int:
        return sum(fragment in str(r.url) for r in self.requests)


def make_watch_project(root: Path) -> Path:
    """The fixture project with the registrations, searches/, excluded/ and watch/last-run.json
    that the recorded answers are about."""
    make_project(root)
    for study, registrations in MANIFEST["registrations"].items():
        path = root / "studies" / f"{study}.yaml"
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        at = next(i for i, line in enumerate(lines) if line.startswith("doi:")) + 1
        lines.insert(at, f"registrations: [{', '.join(registrations)}]\n")
        path.write_text("".join(lines), encoding="utf-8")
    shutil.copytree(FIXTURES / "project", root, dirs_exist_ok=True)
    return root
