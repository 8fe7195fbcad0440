"""The one place where a row's outcome against the pool is decided.

PRODUCT.md, "one answer per file": a row's outcome is what it would be if the file were
read one row at a time, in file order, against the pool as it was before the job plus
the rows accepted before it. So, for each row that passed its own checks, in order:

- a username already in the pool, or accepted earlier in the file, is SKIPPED;
- otherwise an alias or username-attribute value already in the pool, or held by a
  row accepted earlier, FAILS;
- otherwise the row is accepted, and from then on its username and values are taken.

A row that was skipped or failed claims nothing. Batch size, parser processes and
crash/resume points never change an outcome: every batch is decided against the pool
as committed so far (which holds exactly the rows accepted before it) plus the rows
accepted earlier in the same batch.

Pure: the import job, ``validate`` and the tests call the same function.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cognito_import.domain.batches import (
    FAILED,
    SKIPPED,
    CheckedRow,
    DecidedBatch,
    Outcome,
    ParsedBatch,
)
from cognito_import.domain.rows import SKIPPED_EXISTS, alias_taken_reason


@dataclass
class Taken:
    """Usernames (as compared) and unique values (attribute -> values) that are held:
    by the pool, as far as it was asked, and by the rows accepted so far."""

    usernames: set[str] = field(default_factory=set)
    values: dict[str, set[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Decision:
    batch: DecidedBatch
    # Usernames of rows that FAILED on a value an earlier row of the batch holds. Were
    # one of them in the pool, its row would be SKIPPED instead: a decision made
    # without asking the pool (``Taken()``) holds only if the pool has none of them.
    value_failed_usernames: list[str]


def decide(batch: ParsedBatch, taken: Taken) -> Decision:
    """Decide ``batch`` in file order against ``taken``, which it extends with the rows
    it accepts (so a caller deciding a whole file passes one ``Taken`` throughout)."""
    accepted: list[CheckedRow] = []
    outcomes: list[Outcome] = []
    contested: list[str] = []
    usernames, values = taken.usernames, taken.values
    for item in batch.items:
        if not isinstance(item, CheckedRow):
            outcomes.append(Outcome(*item))
            continue
        if item.username_key in usernames:
            outcomes.append(Outcome(item.line, SKIPPED, SKIPPED_EXISTS))
            continue
        clash = _clash(item.unique_values, values)
        if clash is not None:
            outcomes.append(Outcome(item.line, FAILED, alias_taken_reason(clash)))
            contested.append(item.username_key)
            continue
        accepted.append(item)
        usernames.add(item.username_key)
        for attribute, value in item.unique_values:
            values.setdefault(attribute, set()).add(value)
    decided = DecidedBatch(
        first_line=batch.first_line,
        last_line=batch.last_line,
        resume_offset=batch.end_offset,
        accepted=accepted,
        outcomes=outcomes,
    )
    return Decision(decided, contested)


def _clash(pairs: tuple[tuple[str, str], ...], values: dict[str, set[str]]) -> str | None:
    for attribute, value in pairs:
        held = values.get(attribute)
        if held is not None and value in held:
            return attribute
    return None


def asked_of_pool(batch: ParsedBatch) -> tuple[list[str], list[tuple[str, str]]]:
    """The usernames and unique values of a batch's checked rows: what the pool must be
    asked about to decide the batch exactly."""
    keys: list[str] = []
    pairs: list[tuple[str, str]] = []
    for item in batch.items:
        if isinstance(item, CheckedRow):
            keys.append(item.username_key)
            pairs.extend(item.unique_values)
    return keys, pairs
