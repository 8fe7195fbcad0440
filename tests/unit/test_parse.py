"""parse_batches: parsers taking turns must together yield exactly what one parser
yields, with the same lines, offsets and items; only the random subs differ."""

from __future__ import annotations

import io
import re

from cognito_import.domain.attributes import STANDARD_ATTRIBUTES
from cognito_import.domain.batches import CheckedRow, ParsedBatch, RowProblem
from cognito_import.domain.csvfile import read_header
from cognito_import.domain.pools import PoolConfig
from cognito_import.domain.rows import plan_header
from cognito_import.imports.parse import new_subs, parse_batches

CONFIG = PoolConfig(schema=STANDARD_ATTRIBUTES, auto_verified=frozenset({"email"}))
HEADER = "cognito:username,email,email_verified,cognito:mfa_enabled,name"


def _file(lines: list[str]) -> io.BytesIO:
    return io.BytesIO(("\n".join([HEADER, *lines]) + "\n").encode())


def _lines() -> list[str]:
    lines = []
    for i in range(103):
        if i % 17 == 0:
            lines.append("")  # blank: a line number, no data row
        elif i % 13 == 0:
            lines.append(f"u{i},bad-email,true,false,x")  # FAILED
        elif i % 11 == 0:
            lines.append("x" * 16_001)  # too long
        elif i % 7 == 0:
            lines.append(f"u{i - 1},e{i}@x.io,true,false,dup")  # repeats the previous user
        else:
            lines.append(f"u{i},e{i}@x.io,true,false,Name\\, {i}")
    return lines


Stripped = tuple[int, int, int, list[CheckedRow | RowProblem]]


def _strip_subs(batch: ParsedBatch) -> Stripped:
    items = [i._replace(sub="") if isinstance(i, CheckedRow) else i for i in batch.items]
    return batch.first_line, batch.last_line, batch.end_offset, items


def _parse(fp: io.BytesIO, stride: int, phase: int, size: int) -> list[ParsedBatch]:
    fp.seek(0)
    header = read_header(fp)
    plan = plan_header(header.columns, CONFIG, None)
    return list(parse_batches(fp, plan, header.end_offset, 2, size, stride, phase))


def test_parsers_taking_turns_yield_every_batch_once() -> None:
    fp = _file(_lines())
    for size in (1, 7, 10, 103, 500):
        single = [_strip_subs(b) for b in _parse(fp, 1, 0, size)]
        for stride in (2, 3):
            shares = [_parse(fp, stride, phase, size) for phase in range(stride)]
            merged = [
                _strip_subs(shares[i % stride][i // stride]) for i in range(sum(map(len, shares)))
            ]
            assert merged == single, (size, stride)
        assert single[-1][1] == 104  # the last line: header + 103 lines
        assert sum(len(b[3]) for b in single) == 103


def test_batches_resume_from_a_batch_end() -> None:
    fp = _file(_lines())
    whole = _parse(fp, 1, 0, 10)
    fp.seek(0)
    header = read_header(fp)
    plan = plan_header(header.columns, CONFIG, None)
    third = whole[2]
    rest = list(parse_batches(fp, plan, third.end_offset, third.last_line + 1, 10))
    assert [_strip_subs(b) for b in rest] == [_strip_subs(b) for b in whole[3:]]


def test_subs_are_distinct_version_4_uuids() -> None:
    subs = new_subs(1000)
    assert len(set(subs)) == 1000
    pattern = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
    assert all(pattern.fullmatch(s) for s in subs)


def test_batches_cross_processes_intact() -> None:
    import pickle

    (batch, *_) = _parse(_file(_lines()), 1, 0, 500)
    again = pickle.loads(pickle.dumps(batch))
    assert again == batch
    assert [type(i) for i in again.items] == [type(i) for i in batch.items]
    assert {type(i) for i in batch.items} == {CheckedRow, RowProblem}
