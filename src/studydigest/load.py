"""Safe YAML loading that keeps a line and column for every value.

Study files come from pull requests, so nothing here trusts them: size, encoding and
nesting are checked on the raw text before any YAML parser sees it, and the document is
built from the parser's event stream (no recursion, no object construction) so that
anchors, aliases, tags, merge keys, duplicate keys and complex keys can be refused with
the place they occur.

Scalars stay text: ``0012345``, ``NO``, ``1:30`` and ``2024-01-05`` arrive as written and
the schema decides their type. The one exception is the YAML 1.1 yes/no family and
``null``: they become ``True``/``False``/``None`` so that a stray ``title: no`` is reported
as "not text" instead of silently publishing the word or the value ``False``.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .yamlhelp import explain

try:  # libyaml's parser when present; it only ever sees pre-checked text.
    from yaml import CSafeLoader as _Loader

    if os.environ.get("STUDYDIGEST_PURE_YAML"):  # the benchmark measures the fallback too
        from yaml import SafeLoader as _Loader  # type: ignore[assignment]
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_BYTES = 256 * 1024
MAX_DEPTH = 12
BOOL_WORDS = {"yes": True, "no": False, "on": True, "off": False, "true": True, "false": False}
NULL_WORDS = {"", "~", "null"}

# Characters that have no business in a study record: C0/C1 controls other than tab and
# newline, bidi overrides and isolates, zero-width characters and a BOM past the start.
_FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)

_BRACKETS = re.compile(r"[\[\]{}]")
# A line whose leading run of spaces and "- " markers is longer than 4 columns per level.
_DEEP_LINE = re.compile(rf"^[ -]{{{4 * MAX_DEPTH + 1},}}", re.MULTILINE)
Path_ = tuple[str | int, ...]
_DUPLICATE = object()


@dataclass(frozen=True)
class Problem:
    """One thing an editor must fix, located as precisely as the input allows."""

    file: str
    line: int
    col: int
    field: str
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.col}"
        label = f"{self.field}: " if self.field else ""
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{where}: {prefix}{label}{self.message}"


@dataclass
class Document:
    """A loaded YAML mapping plus the position of every key and value in it."""

    file: str
    data: dict[str, Any]
    values: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)  # found while loading, not fatal

    def position(self, path: Path_, *, key: bool = False) -> tuple[int, int]:
        """Line and column of ``path``, or of its nearest ancestor that exists."""
        table = self.keys if key else self.values
        for end in range(len(path), -1, -1):
            prefix = tuple(path[:end])
            if prefix in table:
                return table[prefix]
            if prefix in self.values:
                return self.values[prefix]
        return (1, 1)

    def problem(
        self, path: Path_, message: str, *, key: bool = False, severity: str = "error"
    ) -> Problem:
        """A :class:`Problem` located at ``path`` in this document."""
        line, col = self.position(path, key=key)
        return Problem(self.file, line, col, format_path(path), message, severity)


class LoadError(Exception):
    """Raised with a located :class:`Problem` when a file cannot be read as a record."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def format_path(path: Path_) -> str:
    """``("outcomes", 1, "finding")`` becomes ``outcomes[1].finding``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, col


def decode(raw: bytes, file: str) -> str:
    """Check size and encoding and return normalised text (no BOM, LF line endings)."""

    def fail(message: str, offset: int = 0, text: str = "") -> LoadError:
        line, col = _line_col(text, offset) if text else (1, 1)
        return LoadError(Problem(file, line, col, "", message))

    if len(raw) > MAX_BYTES:
        raise fail(f"file is {len(raw)} bytes; a study record may be at most {MAX_BYTES} bytes")
    if not raw.strip(b" \t\r\n\xef\xbb\xbf"):
        raise fail("file is empty; a study record is a YAML mapping of fields")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise LoadError(
            Problem(
                file,
                line,
                col,
                "",
                f"not valid UTF-8 (byte 0x{raw[exc.start]:02x}); save the file as UTF-8",
            )
        ) from None
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    bad = _FORBIDDEN.search(text)
    if bad is None and "\r" in text:
        bad = re.search("\r", text)
    if bad is not None:
        char = bad.group()
        name = unicodedata.name(char, "control character")
        raise fail(f"forbidden character U+{ord(char):04X} ({name}); remove it", bad.start(), text)
    depth = 0
    for match in _BRACKETS.finditer(text):  # only the brackets, not every character
        if match.group() in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise fail(f"nesting deeper than {MAX_DEPTH} levels", match.start(), text)
        elif depth:
            depth -= 1
    deep = _DEEP_LINE.search(text)
    if deep is not None:
        line, _ = _line_col(text, deep.start())
        raise LoadError(
            Problem(file, line, 1, "", f"indented or nested deeper than {MAX_DEPTH} levels")
        )
    return text


def _scalar(event: yaml.ScalarEvent) -> Any:
    if event.style:  # quoted or block scalars are always text ('' or None means plain)
        return event.value
    word = event.value.strip()
    lowered = word.lower()
    if lowered in BOOL_WORDS:
        return BOOL_WORDS[lowered]
    if lowered in NULL_WORDS:
        return None
    return event.value


def parse(text: str, file: str) -> Document:
    """Build a :class:`Document` from pre-checked text using only parser events."""
    doc = Document(file=file, data={})
    stack: list[tuple[Any, Path_, list[Any]]] = []  # (container, path, pending key holder)
    root: Any = None
    documents = 0

    def where(event: yaml.Event) -> tuple[int, int]:
        mark = event.start_mark
        return (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)

    def fail(event: yaml.Event, message: str, path: Path_ = ()) -> LoadError:
        line, col = where(event)
        return LoadError(Problem(file, line, col, format_path(path), message))

    def attach(value: Any, event: yaml.Event) -> Path_ | None:
        nonlocal root
        if not stack:
            root = value
            doc.values[()] = where(event)
            return ()
        container, path, pending = stack[-1]
        if isinstance(container, list):
            child = (*path, len(container))
            container.append(value)
            doc.values[child] = where(event)
            return child
        if not pending:  # this value is a key
            if not isinstance(value, str) or isinstance(value, bool):
                if isinstance(value, dict | list):
                    raise fail(
                        event,
                        "complex keys (a mapping or list used as a key) are not allowed",
                        path,
                    )
                value = "" if value is None else str(value).lower()
            if value == "<<":
                raise fail(event, "merge keys (<<) are not allowed; write the fields out", path)
            if value in container or (*path, value) in doc.keys:
                first = doc.keys.get((*path, value), (0, 0))[0]
                line, col = where(event)
                doc.problems.append(
                    Problem(
                        file,
                        line,
                        col,
                        format_path((*path, value)),
                        f"duplicate key '{value}' (first defined on line {first}); keep one",
                    )
                )
                pending.append(_DUPLICATE)
                return None
            pending.append(value)
            doc.keys[(*path, value)] = where(event)
            return None
        key = pending.pop()
        if key is _DUPLICATE:  # parsed for position only, then dropped
            return (*path, "<duplicate>")
        container[key] = value
        doc.values[(*path, key)] = where(event)
        return (*path, key)

    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise fail(
                        event, "several YAML documents in one file; keep one record per file"
                    )
            anchor = getattr(event, "anchor", None)
            if isinstance(event, yaml.AliasEvent) or anchor is not None:
                raise fail(event, "anchors and aliases (&, *) are not allowed; write the value out")
            tag = getattr(event, "tag", None)
            if (
                tag is not None
                and not (isinstance(event, yaml.ScalarEvent) and event.implicit[0])
                and not (isinstance(event, yaml.CollectionStartEvent) and event.implicit)
            ):
                raise fail(event, f"explicit tags ({tag}) are not allowed")
            if isinstance(event, yaml.ScalarEvent):
                attach(_scalar(event), event)
            elif isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
                container: Any = {} if isinstance(event, yaml.MappingStartEvent) else []
                if stack and isinstance(stack[-1][0], dict) and not stack[-1][2]:
                    raise fail(
                        event,
                        "complex keys (a mapping or list used as a key) are not allowed",
                        stack[-1][1],
                    )
                path = attach(container, event)
                assert path is not None
                if len(stack) >= MAX_DEPTH:
                    raise fail(event, f"nesting deeper than {MAX_DEPTH} levels", path)
                stack.append((container, path, []))
            elif isinstance(event, yaml.CollectionEndEvent):
                stack.pop()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        reason = exc.problem or exc.context or "invalid YAML"
        raise LoadError(Problem(file, line, col, "", explain(reason, text, line, col))) from None
    except yaml.YAMLError as exc:  # pragma: no cover - parser errors are marked
        raise LoadError(Problem(file, 1, 1, "", f"invalid YAML: {exc}")) from None
    if not isinstance(root, dict):
        kind = "empty" if root is None else type(root).__name__
        raise LoadError(
            Problem(
                file,
                1,
                1,
                "",
                f"the document is {kind}; a record must be a mapping of field: value lines",
            )
        )
    doc.data = root
    return doc


def load_file(path: Path, *, root: Path | None = None, display: str | None = None) -> Document:
    """Read one record file safely; ``root`` is the folder it must live in."""
    name = display or str(path)
    if path.is_symlink():
        raise LoadError(Problem(name, 1, 1, "", "symbolic links are not accepted as records"))
    if root is not None:
        try:
            path.resolve().relative_to(root.resolve())
        except ValueError:
            raise LoadError(
                Problem(name, 1, 1, "", f"records must live inside {root.name}/")
            ) from None
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise LoadError(Problem(name, 1, 1, "", f"cannot read file: {exc.strerror}")) from None
    return parse(decode(raw, name), name)


def load_text(text: str | bytes, file: str = "<string>") -> Document:
    """Load a record from memory (tests, imports) with the same checks as a file."""
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return parse(decode(raw, file), file)
