"""When the digest last looked outward: ``watch/last-run.json``, written by ``studydigest watch``.

The weekly watch workflow commits this small file; the site reads it to tell readers when the
corpus was last checked against the literature (home and methodology pages) and when each
study's notices were last checked (its page). Without the file the site says the corpus has not
been checked yet. The file is public: fields may be added, never changed in meaning.

    {
      "checked": "2026-12-07",        # last run in which every source answered (null: never)
      "attempted": "2026-12-07",      # last run, complete or not
      "sources": {"crossref": "2026-12-07", ...},   # last day each source answered in full
      "notices_checked": {"able-2020": "2026-12-07", ...},  # per study: Crossref answered
      "trial_status": {"NCT01234567": "COMPLETED", ...}     # ClinicalTrials.gov, last seen
    }
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from studydigest.settings import SettingsError

WATCH_FILE = "watch/last-run.json"
MAX_BYTES = 1024 * 1024


class LastCheckError(SettingsError):
    """``watch/last-run.json`` exists but cannot be read; the message is located. (A project
    file every command reads, like ``mkdocs.yml``: the command line reports it the same way.)"""


class LastCheck(BaseModel):
    """What the last ``studydigest watch`` run saw, as committed by the workflow."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    checked: dt.date | None = Field(
        default=None, description="The last run in which every source answered."
    )
    attempted: dt.date | None = Field(default=None, description="The last run, complete or not.")
    sources: dict[str, dt.date] = Field(default_factory=dict)
    notices_checked: dict[str, dt.date] = Field(default_factory=dict)
    trial_status: dict[str, str] = Field(default_factory=dict)

    @property
    def incomplete(self) -> bool:
        """The newest run could not reach every source."""
        return self.attempted is not None and self.attempted != self.checked

    def to_json(self) -> str:
        data = self.model_dump(mode="json")
        for key in ("sources", "notices_checked", "trial_status"):
            data[key] = dict(sorted(data[key].items()))
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def path(root: Path) -> Path:
    return root / WATCH_FILE


def read(root: Path) -> LastCheck | None:
    """The committed last run of the project at ``root``, or None when there is none yet."""
    file = path(root)
    if not file.is_file() or file.is_symlink():
        return None
    raw = file.read_bytes()
    if len(raw) > MAX_BYTES:
        raise LastCheckError(f"{WATCH_FILE}:1:1: file is larger than {MAX_BYTES} bytes")
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise LastCheckError(f"{WATCH_FILE}:1:1: not valid UTF-8") from None
    except json.JSONDecodeError as exc:
        raise LastCheckError(f"{WATCH_FILE}:{exc.lineno}:{exc.colno}: {exc.msg}") from None
    try:
        return LastCheck.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"])
        raise LastCheckError(f"{WATCH_FILE}:1:1: {where}: {error['msg']}") from None
