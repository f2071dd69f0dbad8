"""Online link check for the weekly job; besides ``watch``, nothing else touches the network."""

from __future__ import annotations

import urllib.error
import urllib.request

USER_AGENT = "studydigest-linkcheck/1 (+https://github.com/)"


def check_links(urls: list[str], timeout: float = 20.0) -> list[tuple[str, str]]:
    """Return (url, reason) for each link that does not answer with a success or redirect."""
    failures = []
    for url in urls:
        if not url.startswith("https://"):
            failures.append((url, "not an https link"))
            continue
        for method in ("HEAD", "GET"):  # some publishers refuse HEAD
            headers = {"User-Agent": USER_AGENT}
            request = urllib.request.Request(url, method=method, headers=headers)  # noqa: S310
            try:
                with urllib.request.urlopen(request, timeout=timeout):  # noqa: S310 - https only
                    break
            except urllib.error.HTTPError as exc:
                if method == "GET" or exc.code not in {403, 405, 501}:
                    failures.append((url, f"HTTP {exc.code}"))
                    break
            except (urllib.error.URLError, TimeoutError, OSError) as exc:
                failures.append((url, str(getattr(exc, "reason", exc))))
                break
    return failures
