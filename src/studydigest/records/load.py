"""Safe YAML loading that keeps a line and column for every value.

Study files come from pull requests, so nothing here trusts them: size, encoding and
nesting are checked on the raw text before any YAML parser sees it, then anchors,
aliases, tags, merge keys, duplicate keys and complex keys are refused with the place they
occur, and no object is ever constructed from a tag.

Two routes give the same result. A cheap pre-scan of the raw text decides whether it could
hold an anchor, alias, tag or explicit key at all; when it cannot (nearly every record),
libyaml's C composer builds the node tree and a short walk turns it into plain data with
positions. Anything unusual on that route (a duplicate key, a complex key, too deep, a
parse error, a forbidden character written as an escape) hands the text to the exact
route, which reads the parser's event stream one event at a time and reports the first
problem in document order. Tests check that both routes agree.

Scalars stay text: ``0012345``, ``NO``, ``1:30`` and ``2024-01-05`` arrive as written and
the schema decides their type. The one exception is the YAML 1.1 yes/no family and
``null``: they become ``True``/``False``/``None`` so that a stray ``title: no`` is reported
as "not text" instead of silently publishing the word or the value ``False``.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import yaml

from studydigest.records.memo import Documents
from studydigest.records.yamlhelp import explain

# libyaml's C parser when present; it only ever sees pre-checked text. The benchmark sets
# STUDYDIGEST_PURE_YAML to measure the pure-Python fallback.
_PURE = bool(os.environ.get("STUDYDIGEST_PURE_YAML")) or not yaml.__with_libyaml__
_Loader: Any = yaml.SafeLoader if _PURE else yaml.CSafeLoader

MAX_BYTES = 256 * 1024
MAX_DEPTH = 12
BOOL_WORDS = {"yes": True, "no": False, "on": True, "off": False, "true": True, "false": False}
NULL_WORDS = {"", "~", "null"}
_WORDS: dict[str, bool | None] = {**BOOL_WORDS, **dict.fromkeys(NULL_WORDS)}

# Characters that have no business in a study record: C0/C1 controls other than tab and
# newline, bidi overrides and isolates, zero-width characters and a BOM past the start.
_FORBIDDEN_CHARS = (
    "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
)
_FORBIDDEN = re.compile(f"[{_FORBIDDEN_CHARS}]")
# The same rule for values once YAML has decoded escapes ("\u202e", "\0", "\e", "\r").
_FORBIDDEN_DECODED = re.compile(f"[{_FORBIDDEN_CHARS}\r]")

_BRACKETS = re.compile(r"[\[\]{}]")
_FLOW_START = (yaml.FlowSequenceStartToken, yaml.FlowMappingStartToken)
_FLOW_END = (yaml.FlowSequenceEndToken, yaml.FlowMappingEndToken)
# A line whose leading run of spaces and "- " markers is longer than 4 columns per level
# (searched in "\n" + text: a literal first character keeps the search fast).
_DEEP_LINE = re.compile(rf"\n[ -]{{{4 * MAX_DEPTH + 1}}}")
# Flow brackets bound the C composer's recursion; more than this takes the exact route.
_FAST_MAX_BRACKETS = 64
Path_ = tuple[str | int, ...]
_DUPLICATE = object()
_START = yaml.Mark("", 0, 0, 0, None, 0)


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


class Mark(Protocol):
    """Where the parser saw something: libyaml's and PyYAML's marks (counted from 0)."""

    @property
    def line(self) -> int: ...

    @property
    def column(self) -> int: ...


class Document:
    """A loaded YAML mapping plus the position of every key and value in it.

    Positions are found when first asked for: the fast route reads the data alone, and only
    a document with something to report is walked again, with the parser's marks. Both walks
    read the same text the same way, so the positions belong to the same data.
    """

    def __init__(
        self,
        file: str,
        data: dict[str, Any],
        text: str = "",
        values: dict[Path_, Mark] | None = None,
        keys: dict[Path_, Mark] | None = None,
    ) -> None:
        self.file = file
        self.data = data
        self.text = text
        self.problems: list[Problem] = []  # found while loading, not fatal
        self._values = values
        self._keys = keys

    @property
    def values(self) -> dict[Path_, Mark]:
        return self._marks()[0]

    @property
    def keys(self) -> dict[Path_, Mark]:
        return self._marks()[1]

    def _marks(self) -> tuple[dict[Path_, Mark], dict[Path_, Mark]]:
        """Where each value and each key starts, from a second walk the first time."""
        if self._values is None or self._keys is None:
            located = _parse_nodes(self.text, self.file, marks=True) or _parse_events(
                self.text, self.file
            )
            self._values, self._keys = located._marks()
        return self._values, self._keys

    def position(self, path: Path_, *, key: bool = False) -> tuple[int, int]:
        """Line and column of ``path``, or of its nearest ancestor that exists."""
        table = self.keys if key else self.values
        for end in range(len(path), -1, -1):
            prefix = tuple(path[:end])
            mark = table.get(prefix) or self.values.get(prefix)
            if mark is not None:
                return mark.line + 1, mark.column + 1
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


def _flow_too_deep(text: str) -> tuple[int, int] | None:
    """Line and column of the first flow bracket nested deeper than ``MAX_DEPTH``, if any.

    Counting every bracket is cheap and enough for nearly every record; only when that count
    goes too deep does libyaml's scanner say which brackets are flow indicators, so that
    brackets inside text ("scores in [0, 1)", quoted, plain or block) are never counted.
    """
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return None
    depth = 0
    for match in _BRACKETS.finditer(text):  # only the brackets, not every character
        if match.group() in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                break
        elif depth:
            depth -= 1
    else:
        return None
    depth = 0
    try:
        for token in yaml.scan(text, Loader=_Loader):
            if isinstance(token, _FLOW_START):
                depth += 1
                if depth > MAX_DEPTH:
                    return token.start_mark.line + 1, token.start_mark.column + 1
            elif isinstance(token, _FLOW_END):
                depth -= 1
    except yaml.YAMLError:
        pass  # the parser reports invalid YAML with its place; depth is checked there too
    return None


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
    too_deep = _flow_too_deep(text)
    if too_deep is not None:
        line, col = too_deep
        raise LoadError(Problem(file, line, col, "", f"nesting deeper than {MAX_DEPTH} levels"))
    deep = _DEEP_LINE.search("\n" + text)
    if deep is not None:
        line, _ = _line_col(text, deep.start())
        raise LoadError(
            Problem(file, line, 1, "", f"indented or nested deeper than {MAX_DEPTH} levels")
        )
    return text


def _scalar(event: yaml.ScalarEvent | yaml.ScalarNode) -> Any:
    value = event.value
    # Quoted or block scalars are always text ('' or None means plain), and no plain word
    # is longer than "false" (plain scalars never start or end with blanks).
    if event.style or len(value) > 5:
        return value
    return _WORDS.get(value.lower(), value)


def parse(text: str, file: str) -> Document:
    """Build a :class:`Document` from pre-checked text (see the module docstring)."""
    return _parse_nodes(text, file) or _parse_events(text, file)


def _forbidden_escape(value: str) -> str | None:
    """The message for a character that only an escape such as ``"\\u202e"`` can write."""
    bad = _FORBIDDEN_DECODED.search(value)
    if bad is None:
        return None
    char = bad.group()
    name = unicodedata.name(char, "control character")
    return f"forbidden character U+{ord(char):04X} ({name}); remove it"


class _Fallback(Exception):
    """The fast route met something only the exact route reports in order."""


_IMPLICIT = object()  # the tag of every untagged node: no tag written in a file can be it


if not _PURE:

    class _Composer(yaml.CBaseLoader):
        """libyaml's C composer with no tag resolution: every scalar stays text."""

        def resolve(self, kind: object, value: object, implicit: object) -> object:
            return _IMPLICIT

        def descend_resolver(self, parent: object, index: object) -> None:
            return None

        def ascend_resolver(self) -> None:
            return None


def _compose(text: str) -> yaml.Node | None:
    composer = _Composer(text)
    try:
        node: yaml.Node | None = composer.get_single_node()
        return node
    finally:
        composer.dispose()


def _may_hold_node_properties(text: str) -> bool:
    """Whether an anchor (&), alias (*), tag (!) or explicit key (?) could begin a node.

    YAML allows them only where a node begins: at the start of a line or after an indicator
    (``-``, ``?``, ``:``, ``,``, ``[``, ``{``), blanks between. So one that follows a word
    character or ``/ = ) ;`` (blanks between), as in "Polito & Stevenson", "why?" or
    ``https://example.org/?q=1``, cannot be one; any other occurrence counts.
    """
    for char in "&*!?":
        at = text.find(char)
        while at != -1:
            before = at - 1
            while before >= 0 and text[before] in " \t":
                before -= 1
            if before < 0:
                return True
            prev = text[before]
            if not (prev.isalnum() or prev in "_/=);"):
                return True
            at = text.find(char, at + 1)
    return False


def _parse_nodes(text: str, file: str, *, marks: bool = False) -> Document | None:
    """The fast route: None whenever the exact route must decide.

    With ``marks`` the walk also records where every key and value starts; without, it
    builds the data alone (what validating a valid record needs).
    """
    if (
        _PURE
        or text.count("[") + text.count("{") > _FAST_MAX_BRACKETS
        or _may_hold_node_properties(text)
    ):
        return None
    try:
        root = _compose(text)
    except yaml.YAMLError:
        return None
    if not isinstance(root, yaml.MappingNode):
        return None
    values: dict[Path_, Mark] = {}
    keys: dict[Path_, Mark] = {}
    # Local names: this walk runs for every node of every record.
    scalar_node, sequence_node, implicit, words = (
        yaml.ScalarNode,
        yaml.SequenceNode,
        _IMPLICIT,
        _WORDS,
    )
    forbidden = _FORBIDDEN_DECODED.search

    def scalar(node: Any) -> Any:
        """The same rules as ``_scalar``, plus the escape check, inlined for speed."""
        value = node.value
        style = node.style
        if not style:
            return words.get(value.lower(), value) if len(value) <= 5 else value
        if style == '"' and forbidden(value):
            raise _Fallback
        return value

    def value_of(node: Any, path: Path_, depth: int) -> Any:
        """Plain data for ``node``; with ``marks``, its position and its keys' positions."""
        if marks:
            values[path] = node.start_mark
        if node.tag is not implicit:
            raise _Fallback
        if type(node) is scalar_node:
            return scalar(node)
        if depth >= MAX_DEPTH:
            raise _Fallback
        if type(node) is sequence_node:
            if marks:
                return [value_of(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
            return [value_of(item, path, depth + 1) for item in node.value]
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if type(key_node) is not scalar_node or key_node.tag is not implicit:
                raise _Fallback
            key = scalar(key_node)
            if type(key) is not str:
                key = "" if key is None else str(key).lower()
            if key in out or key == "<<":
                raise _Fallback
            child = path
            if marks:
                child = (*path, key)
                keys[child] = key_node.start_mark
            out[key] = value_of(value_node, child, depth + 1)
        return out

    try:
        data = value_of(root, (), 0)
    except _Fallback:
        return None
    return Document(file, data, text, values, keys) if marks else Document(file, data, text)


def _parse_events(text: str, file: str) -> Document:
    """The exact route: the parser's events, one at a time, first problem first."""
    doc = Document(file, {}, text, {}, {})
    stack: list[tuple[Any, Path_, list[Any]]] = []  # (container, path, pending key holder)
    root: Any = None
    documents = 0

    def at(event: yaml.Event) -> Mark:
        return event.start_mark or _START

    def where(event: yaml.Event) -> tuple[int, int]:
        mark = at(event)
        return mark.line + 1, mark.column + 1

    def fail(event: yaml.Event, message: str, path: Path_ = ()) -> LoadError:
        line, col = where(event)
        return LoadError(Problem(file, line, col, format_path(path), message))

    def attach(value: Any, event: yaml.Event) -> Path_ | None:
        nonlocal root
        if not stack:
            root = value
            doc.values[()] = at(event)
            return ()
        container, path, pending = stack[-1]
        if isinstance(container, list):
            child = (*path, len(container))
            container.append(value)
            doc.values[child] = at(event)
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
                first = doc.keys[(*path, value)].line + 1 if (*path, value) in doc.keys else 0
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
            doc.keys[(*path, value)] = at(event)
            return None
        key = pending.pop()
        if key is _DUPLICATE:  # parsed for position only, then dropped
            return (*path, "<duplicate>")
        container[key] = value
        doc.values[(*path, key)] = at(event)
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
                path = attach(_scalar(event), event)
                message = _forbidden_escape(event.value) if event.style == '"' else None
                if message is not None:
                    raise fail(event, message, stack[-1][1] if path is None else path)
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


def load_file(
    path: Path,
    *,
    root: Path | None = None,
    display: str | None = None,
    memo: Documents | None = None,
) -> Document:
    """Read one record file safely; ``root`` is the folder it must live in. With ``memo`` a
    file whose bytes were parsed in the previous build is not parsed again."""
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
    if memo is None:
        return parse(decode(raw, name), name)
    return memo.document(name, raw, lambda: parse(decode(raw, name), name))


def load_text(text: str | bytes, file: str = "<string>") -> Document:
    """Load a record from memory (tests, imports) with the same checks as a file."""
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return parse(decode(raw, file), file)
