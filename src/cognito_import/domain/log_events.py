"""A job's per-row log, derived from what the importer commits.

The importer stores one record per committed batch (its line range and commit time) and
one per row that did not succeed; every other line of a batch succeeded. So the log of a
500,000-row import is a few dozen records, and each event is made when it is read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

SUCCEEDED_TEXT = "The import succeeded."


@dataclass(frozen=True)
class LogEvent:
    line: int
    timestamp_ms: int
    message: str


def event_message(line: int, outcome: str, reason: str) -> str:
    return f"[{outcome}] Line Number {line} - {reason}"


_EVENT = re.compile(r"\[([A-Z]+)\] Line Number ([0-9]+) - (.*)", re.DOTALL)


def parse_event_message(message: str) -> tuple[int, str, str] | None:
    """(line, outcome, reason) of an ``event_message``; None for any other text."""
    match = _EVENT.fullmatch(message)
    if match is None:
        return None
    return int(match.group(2)), match.group(1), match.group(3)


def iter_events(
    batches: Sequence[tuple[int, int, float]],
    outcomes: dict[int, tuple[str, str]],
    start_line: int,
    end_line: int,
    forward: bool = True,
) -> Iterator[LogEvent]:
    """Events for lines ``start_line..end_line`` (inclusive) in line order, or reversed.

    ``outcomes`` maps a line to (outcome, reason) for the lines that did not succeed;
    outcome ``BLANK`` marks a blank line, which has no event.
    """
    ordered = batches if forward else list(reversed(batches))
    for first, last, committed in ordered:
        lo, hi = max(first, start_line), min(last, end_line)
        if lo > hi:
            continue
        stamp = int(committed * 1000)
        lines = range(lo, hi + 1) if forward else range(hi, lo - 1, -1)
        for line in lines:
            outcome, reason = outcomes.get(line, ("SUCCEEDED", SUCCEEDED_TEXT))
            if outcome != "BLANK":
                yield LogEvent(line, stamp, event_message(line, outcome, reason))


_TERM = re.compile(r'"((?:[^"\\]|\\.)*)"|(\S+)')


@dataclass(frozen=True)
class FilterPattern:
    """CloudWatch Logs' plain-text filter pattern: every term must occur (case-sensitive);
    ``"a phrase"`` is one term; a term prefixed with ``-`` must not occur; a pattern of
    ``?a ?b`` terms matches when any of them occurs."""

    required: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()
    any_of: tuple[str, ...] = ()

    @classmethod
    def parse(cls, text: str) -> FilterPattern:
        required: list[str] = []
        excluded: list[str] = []
        any_of: list[str] = []
        for quoted, bare in _TERM.findall(text.strip()):
            term = quoted.replace('\\"', '"') if quoted else bare
            if not quoted and term.startswith("-") and len(term) > 1:
                excluded.append(term[1:])
            elif not quoted and term.startswith("?") and len(term) > 1:
                any_of.append(term[1:])
            elif term:
                required.append(term)
        return cls(tuple(required), tuple(excluded), tuple(any_of))

    def matches(self, message: str) -> bool:
        if any(term not in message for term in self.required):
            return False
        if any(term in message for term in self.excluded):
            return False
        return not self.any_of or any(term in message for term in self.any_of)
