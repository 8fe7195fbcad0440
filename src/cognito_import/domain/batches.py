"""Turn a stretch of the CSV into batches ready to insert: every row checked, and the
rows that pass already in the shape of a ``users`` row.

This is all of the import that needs no database, so it can run in a separate process
while the previous batch is being written (see ``pipeline.py``): plain tuples and
strings only, cheap to pickle.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import BinaryIO

from cognito_import.domain.csvfile import Line, iter_lines, skip_lines
from cognito_import.domain.rows import SKIPPED_EXISTS, HeaderPlan, alias_taken_reason, check_row

SKIPPED = "SKIPPED"
FAILED = "FAILED"
BLANK = "BLANK"

# A checked row: (line, username_key, username, sub, attributes as JSON, mfa 0/1,
# password hash or None, unique values or None).
Row = tuple[int, str, str, str, str, int, str | None, dict[str, str] | None]
# A row that did not succeed: (line, SKIPPED | FAILED | BLANK, reason).
Outcome = tuple[int, str, str]

_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


@dataclass
class ParsedBatch:
    first_line: int
    last_line: int
    end_offset: int
    rows: list[Row] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)


def new_subs(count: int) -> list[str]:
    """``count`` random (version 4) UUIDs from one call to the OS's random source:
    ``uuid.uuid4()`` costs a system call each."""
    raw = bytearray(os.urandom(16 * count))
    subs = []
    for i in range(0, 16 * count, 16):
        raw[i + 6] = (raw[i + 6] & 0x0F) | 0x40
        raw[i + 8] = (raw[i + 8] & 0x3F) | 0x80
        h = raw[i : i + 16].hex()
        subs.append(f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}")
    return subs


def parse_batches(
    fp: BinaryIO,
    plan: HeaderPlan,
    offset: int,
    line: int,
    batch_size: int,
    stride: int = 1,
    phase: int = 0,
) -> Iterator[ParsedBatch]:
    """Batches of ``batch_size`` lines from byte ``offset`` (physical line ``line``).

    With ``stride`` N and ``phase`` k, only batches k, k+N, k+2N, ... are checked and
    yielded; the others are passed over undecoded. N parsers with phases 0..N-1 share
    a file between them, and together yield every batch exactly once.

    Within a batch, a repeated username is SKIPPED and a repeated unique value FAILED,
    as they would be against the pool; across batches the database decides.
    """
    index = 0
    while True:
        if index % stride != phase:
            passed, offset = skip_lines(fp, offset, batch_size)
            if passed < batch_size:
                return
            line += passed
        else:
            batch = _parse_one(iter_lines(fp, offset, line), plan, batch_size, offset, line)
            if batch is None:
                return
            yield batch
            if batch.last_line - batch.first_line + 1 < batch_size:
                return
            offset, line = batch.end_offset, batch.last_line + 1
        index += 1


def _parse_one(
    lines: Iterator[Line], plan: HeaderPlan, batch_size: int, offset: int, line: int
) -> ParsedBatch | None:
    batch = ParsedBatch(first_line=line, last_line=line - 1, end_offset=offset)
    seen: set[str] = set()
    seen_values: dict[str, set[str]] = {}
    pending: list[tuple[int, str, str, str, int, str | None, dict[str, str] | None]] = []
    for row in islice(lines, batch_size):
        batch.last_line = row.number
        batch.end_offset = row.end_offset
        if row.error is not None:
            batch.outcomes.append((row.number, FAILED, row.error))
        elif row.values is None:
            batch.outcomes.append((row.number, BLANK, ""))
        else:
            user = check_row(plan, row.values)
            if isinstance(user, str):
                batch.outcomes.append((row.number, FAILED, user))
            elif user.username_key in seen:
                batch.outcomes.append((row.number, SKIPPED, SKIPPED_EXISTS))
            else:
                uniques = user.unique_values or None
                clash = _clash(uniques, seen_values) if uniques else None
                if clash is not None:
                    batch.outcomes.append((row.number, FAILED, alias_taken_reason(clash)))
                else:
                    seen.add(user.username_key)
                    pending.append(
                        (
                            row.number,
                            user.username_key,
                            user.username,
                            _encode(user.attributes),
                            1 if user.mfa_enabled else 0,
                            user.password_hash,
                            uniques,
                        )
                    )
    if batch.last_line < batch.first_line:
        return None
    return _close(batch, pending)


def _clash(uniques: dict[str, str], seen: dict[str, set[str]]) -> str | None:
    for attribute, value in uniques.items():
        if value in seen.setdefault(attribute, set()):
            return attribute
    for attribute, value in uniques.items():
        seen[attribute].add(value)
    return None


def _close(
    batch: ParsedBatch,
    pending: list[tuple[int, str, str, str, int, str | None, dict[str, str] | None]],
) -> ParsedBatch:
    subs = new_subs(len(pending))
    batch.rows = [
        (n, key, name, sub, attrs, mfa, pw, uniq)
        for (n, key, name, attrs, mfa, pw, uniq), sub in zip(pending, subs, strict=True)
    ]
    return batch
