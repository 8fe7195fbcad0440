"""The typed rows of an import, from a parsed stretch of the CSV to a decided batch.

A parser turns lines into ``CheckedRow`` (a row that passed every rule that needs only
the row itself) or ``RowProblem`` (one that did not, or a blank line). The decision
step (``imports/decide.py``) turns those, in file order, into a ``DecidedBatch``: the
rows to insert and every other row's outcome. The store persists a decided batch whole.

NamedTuples, not dataclasses: they cross a process boundary by the ten thousand, and a
tuple pickles in a fraction of the time, while still being read by field name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple, cast

SKIPPED = "SKIPPED"
FAILED = "FAILED"
# A blank line: it keeps its line number, but has no log event and no count.
BLANK = "BLANK"


class CheckedRow(NamedTuple):
    """A row that passed every rule of its own; only the pool can still refuse it."""

    line: int
    username_key: str
    username: str
    sub: str
    attributes_json: str
    mfa_enabled: bool
    password_hash: str | None
    # The pool's unique (alias / username attribute) values, as compared; () if none.
    unique_values: tuple[tuple[str, str], ...]


class RowProblem(NamedTuple):
    """A line that will not import whatever the pool holds: FAILED, or BLANK."""

    line: int
    outcome: str
    reason: str


class Outcome(NamedTuple):
    """A row that did not succeed: SKIPPED, FAILED or BLANK, with the reason."""

    line: int
    outcome: str
    reason: str


@dataclass
class ParsedBatch:
    """``items`` in file order, one per line from ``first_line`` to ``last_line``."""

    first_line: int
    last_line: int
    end_offset: int
    items: list[CheckedRow | RowProblem] = field(default_factory=list)

    # Sent between processes as plain tuples: pickle handles those in C, where each
    # NamedTuple costs a Python call (2.4 us a row, a tenth of a parser's time).
    def __getstate__(self) -> tuple[int, int, int, list[tuple[object, ...]]]:
        return self.first_line, self.last_line, self.end_offset, [tuple(i) for i in self.items]

    def __setstate__(self, state: tuple[int, int, int, list[tuple[object, ...]]]) -> None:
        self.first_line, self.last_line, self.end_offset, plain = state
        new = tuple.__new__
        width = len(CheckedRow._fields)
        items = [new(CheckedRow if len(t) == width else RowProblem, t) for t in plain]
        self.items = cast(list[CheckedRow | RowProblem], items)


@dataclass(frozen=True)
class DecidedBatch:
    """A batch with every line's outcome decided: ``accepted`` rows are to be created,
    ``outcomes`` hold every other line. ``resume_offset`` is the byte after the batch."""

    first_line: int
    last_line: int
    resume_offset: int
    accepted: list[CheckedRow]
    outcomes: list[Outcome]

    @property
    def skipped(self) -> int:
        return sum(1 for o in self.outcomes if o.outcome == SKIPPED)

    @property
    def failed(self) -> int:
        return sum(1 for o in self.outcomes if o.outcome == FAILED)
