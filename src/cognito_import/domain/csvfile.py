"""Cognito's CSV dialect, streamed from a binary file with bounded memory.

The dialect is not RFC 4180: values are never quoted (a ``"`` is an ordinary
character), ``\\,`` is a comma inside a value, a backslash before anything else is a
literal backslash, and every value is trimmed of surrounding whitespace. Lines end
with LF or CRLF. Line numbers are physical: the header is line 1.

A line that is empty or holds only ASCII whitespace is *blank*: it is not a data row,
but it keeps its line number, so the log's "Line Number N" matches what the user sees
in an editor. ``prescan`` and ``iter_lines`` use the same definition, so the row count
checked up front equals the rows the importer later sees.

Byte offsets are exact (the importer resumes from them after a crash), so lines are
read as bytes and decoded one at a time; nothing here seeks relative to a text stream.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

MAX_ROWS = 500_000
MAX_ROW_CHARS = 16_000
CHUNK_SIZE = 1 << 20
BOM = codecs.BOM_UTF8

# A UTF-8 character is at most 4 bytes, so a line whose content exceeds this many bytes
# is certainly over the character limit; anything shorter is decoded and counted.
_BYTES_PER_CHAR = 4


class CsvFileError(Exception):
    """The file cannot be imported at all; ``message`` becomes the CompletionMessage."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class ScanResult:
    data_rows: int
    bom: bool
    size: int


@dataclass(frozen=True, slots=True)
class Header:
    columns: list[str]
    end_offset: int


# Not frozen: a frozen dataclass costs 0.3 us more per line to build. Treat as read-only.
@dataclass(slots=True)
class Line:
    """One physical line after the header.

    ``values`` is None for blank lines and for lines with an ``error``; ``end_offset``
    is the byte offset just after the line's newline (where the next line starts).
    """

    number: int
    end_offset: int
    values: list[str] | None
    error: str | None


def not_utf8_message(line_number: int) -> str:
    return f"The CSV file is not valid UTF-8: invalid byte at line {line_number:,}."


def too_long_reason(max_chars: int) -> str:
    return f"The row is longer than {max_chars:,} characters."


EMPTY_FILE = "The CSV file is empty: it has no header row."
BLANK_HEADER = "The CSV header row (line 1) is blank."
NUL_REASON = "The row contains a NUL character."


def prescan(fp: BinaryIO, max_rows: int = MAX_ROWS) -> ScanResult:
    """Check the whole file once before any row is imported.

    Raises CsvFileError when the file is not UTF-8, has no header row, or has more
    than ``max_rows`` data rows. Reads from the start of ``fp`` in CHUNK_SIZE pieces.
    """
    fp.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8")()
    head = fp.read(len(BOM))
    bom = head == BOM
    size = len(head)
    chunk = b"" if bom else head
    newlines = 0  # newlines in the chunks before the current one
    # Line 1 (the header) is not a data row; ``line_no`` is the line being scanned.
    line_no = 1
    header_nonblank = False
    nonblank = False  # whether the line being scanned has non-whitespace so far
    data_rows = 0
    while True:
        _check_utf8(decoder, chunk, newlines)
        newlines += chunk.count(b"\n")
        parts = chunk.split(b"\n")
        # parts[0] continues the current line; each later part starts a new line.
        for i, part in enumerate(parts):
            if i:
                if line_no == 1:
                    header_nonblank = nonblank
                elif nonblank:
                    data_rows += 1
                line_no += 1
                nonblank = False
            if not nonblank and part and not part.isspace():
                nonblank = True
        chunk = fp.read(CHUNK_SIZE)
        if not chunk:
            break
        size += len(chunk)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise CsvFileError(not_utf8_message(newlines + 1)) from None
    # The last line has no newline after it; it counts when it has content.
    if line_no == 1:
        header_nonblank = nonblank
    elif nonblank:
        data_rows += 1
    if size - (len(BOM) if bom else 0) == 0:
        raise CsvFileError(EMPTY_FILE)
    if not header_nonblank:
        raise CsvFileError(BLANK_HEADER)
    if data_rows > max_rows:
        raise CsvFileError(f"The CSV file has {data_rows:,} data rows; the limit is {max_rows:,}.")
    return ScanResult(data_rows=data_rows, bom=bom, size=size)


def _check_utf8(decoder: codecs.IncrementalDecoder, chunk: bytes, newlines: int) -> None:
    pending = decoder.getstate()[0]
    if not pending and chunk.isascii():
        return  # the common case, checked at memory speed
    try:
        decoder.decode(chunk)
    except UnicodeDecodeError as exc:
        # exc.start indexes the decoder's held-back bytes followed by this chunk; the
        # held-back bytes are a partial multibyte character, so they hold no newline.
        before = (pending + chunk)[: exc.start].count(b"\n")
        raise CsvFileError(not_utf8_message(newlines + before + 1)) from None


def read_header(fp: BinaryIO, max_chars: int = MAX_ROW_CHARS) -> Header:
    """Read and split line 1; a leading BOM is skipped, names are trimmed."""
    fp.seek(0)
    limit = _BYTES_PER_CHAR * max_chars + len(BOM) + 3
    raw = fp.readline(limit)
    end = len(raw)
    if raw.startswith(BOM):
        raw = raw[len(BOM) :]
    if not raw:
        raise CsvFileError(EMPTY_FILE)
    too_long = f"The CSV header row is longer than {max_chars:,} characters."
    if end == limit and not raw.endswith(b"\n"):
        raise CsvFileError(too_long)
    body = raw.rstrip(b"\r\n")
    if not body or body.isspace():
        raise CsvFileError(BLANK_HEADER)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise CsvFileError(not_utf8_message(1)) from None
    if len(text) > max_chars:
        raise CsvFileError(too_long)
    return Header(columns=split_row(text), end_offset=end)


def iter_lines(
    fp: BinaryIO, offset: int, line_number: int, max_chars: int = MAX_ROW_CHARS
) -> Iterator[Line]:
    """Yield the lines from byte ``offset`` on; the first has number ``line_number``.

    Over-long lines are yielded with an ``error`` and skipped in bounded pieces, never
    held whole. Invalid UTF-8 (when ``prescan`` was not run) raises CsvFileError.
    The generator owns ``fp`` while it runs: reading it elsewhere moves its position.
    """
    fp.seek(offset)
    readline = fp.readline
    limit = _BYTES_PER_CHAR * max_chars + 3
    number = line_number
    at_start = offset == 0
    while raw := readline(limit):
        offset += len(raw)
        cut = len(raw) == limit and raw[-1] != 0x0A
        if at_start:
            at_start = False
            if raw.startswith(BOM):
                raw = raw[len(BOM) :]
        if cut:
            offset = _skip_rest_of_line(fp, offset)
            yield Line(number, offset, None, too_long_reason(max_chars))
            number += 1
            continue
        body = raw.rstrip(b"\r\n")
        if not body or body.isspace():
            yield Line(number, offset, None, None)
        else:
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError:
                raise CsvFileError(not_utf8_message(number)) from None
            if len(text) > max_chars:
                yield Line(number, offset, None, too_long_reason(max_chars))
            elif "\x00" in text:
                # PostgreSQL text cannot hold NUL; fail the row rather than the batch.
                yield Line(number, offset, None, NUL_REASON)
            else:
                yield Line(number, offset, split_row(text), None)
        number += 1


def skip_lines(
    fp: BinaryIO, offset: int, count: int, max_chars: int = MAX_ROW_CHARS
) -> tuple[int, int]:
    """Pass over up to ``count`` lines from byte ``offset`` exactly as ``iter_lines``
    would read them, without decoding; (lines passed, offset after them)."""
    fp.seek(offset)
    readline = fp.readline
    limit = _BYTES_PER_CHAR * max_chars + 3
    passed = 0
    while passed < count and (raw := readline(limit)):
        offset += len(raw)
        if len(raw) == limit and raw[-1] != 0x0A:
            offset = _skip_rest_of_line(fp, offset)
        passed += 1
    return passed, offset


def _skip_rest_of_line(fp: BinaryIO, offset: int) -> int:
    while piece := fp.readline(CHUNK_SIZE):
        offset += len(piece)
        if piece[-1] == 0x0A:
            break
    return offset


def split_row(text: str) -> list[str]:
    """Split one line (without its newline) into trimmed values."""
    if "\\," not in text:
        return list(map(str.strip, text.split(",")))
    # Each "\\," is one escaped comma (the backslash right before a comma is the escape;
    # any other backslash is literal), so park the escaped commas in a character the
    # line does not contain, split, and put them back.
    hidden = "\x00"
    while hidden in text:
        hidden = chr(ord(hidden) + 1)
    parts = text.replace("\\,", hidden).split(",")
    return [part.replace(hidden, ",").strip() for part in parts]
