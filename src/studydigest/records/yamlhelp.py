"""YAML syntax errors in plain words: what the editor typed, and how to fix it.

The parser says "mapping values are not allowed here" or "did not find expected key"; an
editor needs to hear "quote this value" or "this line left the design block". Only the raw
lines and the parser's position are used, so the explanation works with any YAML parser.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

# "  - key: value" or "key:"; records only use plain word keys.
_KEY = re.compile(r"^(?P<indent> *)(?P<dash>(?:- +)?)(?P<key>[A-Za-z0-9_.-]+):(?: |$)")
_QUOTED_THEN_TEXT = re.compile(r"""^ *(?:- +)?[A-Za-z0-9_.-]+: *(["'])(?:(?!\1).)*\1 *[^ #]""")
_NOT_A_START = {"@": "an at sign", "`": "a backtick", "%": "a percent sign"}


@dataclass(frozen=True)
class _Line:
    number: int  # 1-based
    key: str
    key_col: int  # 0-based column where the key starts (after any "- ")


def _key_line(lines: list[str], number: int) -> _Line | None:
    match = _KEY.match(lines[number - 1]) if 0 < number <= len(lines) else None
    if match is None:
        return None
    return _Line(number, match["key"], len(match["indent"]) + len(match["dash"]))


def _content(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")


def _previous_key(lines: list[str], number: int, below: int | None = None) -> _Line | None:
    """The nearest key line above ``number`` (whose key starts left of ``below``, if given)."""
    for n in range(number - 1, 0, -1):
        if not _content(lines[n - 1]):
            continue
        found = _key_line(lines, n)
        if found is not None and (below is None or found.key_col < below):
            return found
        if below is None:
            return found
    return None


def _spaces(n: int) -> str:
    return f"{n} space" if n == 1 else f"{n} spaces"


def _colon_in_value(lines: list[str], line: int, col: int) -> str | None:
    current = _KEY.match(lines[line - 1])
    if current is not None and current.end("key") < col - 1:
        key, value = current["key"], lines[line - 1][current.end() :].strip()
        return (
            f"the value of '{key}' contains ': ', which YAML reads as the start of a new "
            f"field; put the whole value in double quotes: {key}: "
            f"{json.dumps(value, ensure_ascii=False)}"
        )
    here = _key_line(lines, line)
    if here is None:
        return None
    above = _previous_key(lines, line, below=here.key_col)
    if above is None:
        return None
    return (
        f"line {line} is indented more than '{above.key}' on line {above.number}, so YAML "
        f"reads it as more of that value, where ': ' is not allowed; if '{here.key}' is a "
        f"field of its own, indent it {_spaces(above.key_col)} like '{above.key}'; if it is "
        f"part of the text, put the whole value of '{above.key}' in double quotes"
    )


def _left_block(lines: list[str], line: int) -> str | None:
    here = _key_line(lines, line)
    sibling = _previous_key(lines, line)
    if here is None or sibling is None or here.key_col >= sibling.key_col:
        return None
    opener = _previous_key(lines, sibling.number + 1, below=sibling.key_col)
    block = f"'{opener.key}'" if opener is not None else "its block"
    return (
        f"'{here.key}' is indented {_spaces(here.key_col)}, less than the other fields of "
        f"{block} (like '{sibling.key}' on line {sibling.number}, indented "
        f"{_spaces(sibling.key_col)}): it leaves {block} but lines up with no field outside "
        f"it; indent it {_spaces(sibling.key_col)} to keep it in {block}"
    )


def _unclosed_quote(lines: list[str], line: int) -> str | None:
    for n in range(min(line, len(lines)), 0, -1):
        text = lines[n - 1]
        match = _KEY.match(text)
        rest = text[match.end() :].lstrip() if match else ""
        if rest[:1] in {'"', "'"} and rest.count(rest[0]) % 2 == 1:
            return (
                f"the quote that opens the value of '{match['key'] if match else ''}' on line "
                f"{n} is never closed; end the value with {rest[0]}"
            )
    return None


def explain(reason: str, text: str, line: int, col: int) -> str:
    """The message for a YAML syntax error that the parser reported at ``line``:``col``."""
    lines = text.split("\n")
    found: str | None = None
    current = lines[line - 1] if 0 < line <= len(lines) else ""
    if "tab" in reason or "'\\t'" in reason:
        found = "a tab is used for indentation; YAML indents with spaces only"
    elif "mapping values are not allowed" in reason:
        found = _colon_in_value(lines, line, col)
    elif _QUOTED_THEN_TEXT.match(current):
        found = (
            "text follows the closing quote; put the whole value inside the quotes "
            '(write a quote inside "..." as \\")'
        )
    elif any(
        words in reason
        for words in ("expected key", "expected '-' indicator", "expected <block end>")
    ):
        found = _left_block(lines, line)
    elif "cannot start any token" in reason and current[col - 1 : col] in _NOT_A_START:
        char = current[col - 1]
        found = f"a value cannot start with {_NOT_A_START[char]} ({char}); put it in quotes"
    elif "end of stream" in reason:
        found = _unclosed_quote(lines, line)
    return f"invalid YAML: {found or reason}"
