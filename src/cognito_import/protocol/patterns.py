"""Model ``pattern`` constraints: Java regexes, translated to the regex module's dialect and
matched against request values with a time limit."""

from __future__ import annotations

import functools
from collections.abc import Callable

import regex

_PATTERN_TIMEOUT = 0.05  # seconds

# Java's \w, \d and \s are ASCII-only, Python's are Unicode. The model's patterns are Java
# regexes, so a name like "Jöb" must fail [\w\s+=,.@-]+ here as it does at AWS. The
# negated forms become nested sets, which the regex module supports in VERSION1 (whose
# class syntax, with nesting and &&, is also Java's).
_ASCII_CLASSES = {"w": "a-zA-Z0-9_", "d": "0-9", "s": " \\t\\n\\x0B\\f\\r"}


def _matches(pattern: str, value: str) -> bool:
    full_match = _compile(pattern)
    if full_match is None:
        return True
    try:
        # Some model patterns backtrack quadratically ("{##" * 6000 against the email
        # link pattern takes seconds); this runs on the event loop, so give up quickly.
        # concurrent=False keeps the GIL: releasing and retaking it per match costs more
        # than the match itself once other threads want the GIL.
        return full_match(value, timeout=_PATTERN_TIMEOUT, concurrent=False) is not None
    except TimeoutError:
        return True


@functools.cache
def _compile(pattern: str) -> Callable[..., object] | None:
    try:
        compiled = regex.compile(_java_to_python(pattern), regex.VERSION1)
    except (regex.error, ValueError, OverflowError):
        # A pattern we cannot read is not the client's fault: let the value through.
        return None
    full_match: Callable[..., object] = compiled.fullmatch
    return full_match


def _java_to_python(pattern: str) -> str:
    out: list[str] = []
    depth = 0  # character-class nesting
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            escaped = pattern[i + 1]
            ascii_class = _ASCII_CLASSES.get(escaped.lower())
            if ascii_class is None:
                out.append(pattern[i : i + 2])
            elif escaped.isupper():
                out.append(f"[^{ascii_class}]")
            else:
                out.append(ascii_class if depth else f"[{ascii_class}]")
            i += 2
            if depth and ascii_class is not None and pattern[i : i + 1] == "-":
                # Java reads [\w-_] as \w, '-', '_'; expanded, it would become a range.
                out.append("\\-")
                i += 1
            continue
        if char == "[":
            depth += 1
        elif char == "]" and depth:
            depth -= 1
        out.append(char)
        i += 1
    return "".join(out)
