"""A stretch of the CSV -> checked rows, each row judged in isolation.

This is the part of the import that needs no database and no other row, so it can run
in parser processes beside the writer (see ``pipeline.py``). Whether a row's username
or unique values are taken is not decided here: that depends on the rows before it,
and is the decision step's alone (``decide.py``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from itertools import islice, repeat
from typing import BinaryIO

from cognito_import.domain.batches import BLANK, FAILED, CheckedRow, ParsedBatch, RowProblem
from cognito_import.domain.csvfile import (
    MAX_ROWS,
    CsvFileError,
    Header,
    Line,
    ScanResult,
    iter_lines,
    prescan,
    read_header,
    skip_lines,
)
from cognito_import.domain.pools import PoolConfig
from cognito_import.domain.rows import HeaderPlan, check_row, plan_header
from cognito_import.store.users import encode_attributes

# AWS is silent on a file with nothing to import; a job that imports nobody is no success.
NO_DATA_ROWS = "The CSV file has no data rows after the header."


def _nothing(attributes: dict[str, str]) -> str:
    return ""


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


def printable(message: str) -> str:
    """A file-level message may quote the file (header names): escape what a text column
    cannot hold (NUL, refused by PostgreSQL) or a terminal would act on."""
    if message.isprintable():
        return message
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in message)


def check_file(
    fp: BinaryIO, config: PoolConfig, algorithm: str | None, max_rows: int = MAX_ROWS
) -> tuple[ScanResult, Header]:
    """The checks of the whole file before any row (UTF-8, row count, header against
    the pool), as the import job and ``validate`` both make them; CsvFileError says why
    the file cannot be imported at all, in a text fit for a CompletionMessage."""
    try:
        scan = prescan(fp, max_rows)
        header = read_header(fp)
        plan_header(header.columns, config, algorithm)
    except CsvFileError as exc:
        raise CsvFileError(printable(exc.message)) from None
    if not scan.data_rows:
        raise CsvFileError(NO_DATA_ROWS)
    return scan, header


def parse_batches(
    fp: BinaryIO,
    plan: HeaderPlan,
    offset: int,
    line: int,
    batch_size: int,
    stride: int = 1,
    phase: int = 0,
    to_insert: bool = True,
) -> Iterator[ParsedBatch]:
    """Batches of ``batch_size`` lines from byte ``offset`` (physical line ``line``).

    With ``stride`` N and ``phase`` k, only batches k, k+N, k+2N, ... are checked and
    yielded; the others are passed over undecoded. N parsers with phases 0..N-1 share
    a file between them, and together yield every batch exactly once. Without
    ``to_insert`` (``validate``) rows are checked alike but carry no sub and no stored
    form of their attributes: nothing will be inserted.
    """
    index = 0
    while True:
        if index % stride != phase:
            passed, offset = skip_lines(fp, offset, batch_size)
            if passed < batch_size:
                return
            line += passed
        else:
            lines = iter_lines(fp, offset, line)
            batch = parse_one(lines, plan, batch_size, offset, line, to_insert)
            if batch is None:
                return
            yield batch
            if batch.last_line - batch.first_line + 1 < batch_size:
                return
            offset, line = batch.end_offset, batch.last_line + 1
        index += 1


def parse_one(
    lines: Iterator[Line],
    plan: HeaderPlan,
    batch_size: int,
    offset: int,
    line: int,
    to_insert: bool = True,
) -> ParsedBatch | None:
    """Up to ``batch_size`` lines as one batch; None at the end of the file."""
    batch = ParsedBatch(first_line=line, last_line=line - 1, end_offset=offset)
    items = batch.items
    # One urandom call for the batch, however many of its rows pass.
    subs = iter(new_subs(batch_size)) if to_insert else repeat("")
    encode = encode_attributes if to_insert else _nothing
    for row in islice(lines, batch_size):
        batch.last_line = row.number
        batch.end_offset = row.end_offset
        if row.error is not None:
            items.append(RowProblem(row.number, FAILED, row.error))
        elif row.values is None:
            items.append(RowProblem(row.number, BLANK, ""))
        else:
            user = check_row(plan, row.values)
            if isinstance(user, str):
                items.append(RowProblem(row.number, FAILED, user))
                continue
            items.append(
                CheckedRow(
                    row.number,
                    user.username_key,
                    user.username,
                    next(subs),
                    encode(user.attributes),
                    user.mfa_enabled,
                    user.password_hash,
                    tuple(user.unique_values.items()),
                )
            )
    if batch.last_line < batch.first_line:
        return None
    return batch
