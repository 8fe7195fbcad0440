from __future__ import annotations

import io
import tracemalloc

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cognito_import.domain import csvfile
from cognito_import.domain.csvfile import (
    BLANK_HEADER,
    EMPTY_FILE,
    NUL_REASON,
    CsvFileError,
    Header,
    Line,
    ScanResult,
    iter_lines,
    prescan,
    read_header,
    split_row,
)
from tests.csvs import format_row


def lines_of(data: bytes) -> list[Line]:
    fp = io.BytesIO(data)
    header = read_header(fp)
    return list(iter_lines(fp, header.end_offset, 2))


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("a,b,c", ["a", "b", "c"]),
        ("  a , b\t,c  ", ["a", "b", "c"]),
        ("", [""]),
        (",,", ["", "", ""]),
        ("a\\,b,c", ["a,b", "c"]),
        ("123 Any Street\\, Springfield,x", ["123 Any Street, Springfield", "x"]),
        ("a\\, b", ["a, b"]),
        ("a\\b,c", ["a\\b", "c"]),
        ("a\\\\,b", ["a\\,b"]),
        ("a,b\\", ["a", "b\\"]),
        ("a\\ ,b", ["a\\", "b"]),
        ("\\,", [","]),
        ('"a,b"', ['"a', 'b"']),
        ('say "hi",x', ['say "hi"', "x"]),
        ("é,日本,😀", ["é", "日本", "😀"]),
    ],
)
def test_split_row(text: str, values: list[str]) -> None:
    assert split_row(text) == values


@pytest.mark.parametrize(
    ("values", "text"),
    [
        (["a", "b"], "a,b"),
        (["a,b", "c"], "a\\,b,c"),
        (["a\\", "b"], "a\\ ,b"),
        (["a", "b\\"], "a,b\\"),
        (["a\\,b"], "a\\\\,b"),
        (['"q"'], '"q"'),
    ],
)
def test_format_row(values: list[str], text: str) -> None:
    assert format_row(values) == text
    assert split_row(text) == values


def test_format_row_refuses_newlines() -> None:
    with pytest.raises(ValueError, match="newline"):
        format_row(["a\nb"])


_value = st.text(
    alphabet=st.one_of(st.sampled_from(",\\ \t\"'é"), st.characters(blacklist_characters="\n")),
    max_size=12,
).filter(lambda v: v == v.strip())


@given(st.lists(_value, min_size=1, max_size=8))
def test_format_then_split_round_trips(values: list[str]) -> None:
    assert split_row(format_row(values)) == values


def reference_split(text: str) -> list[str]:
    """The dialect, one character at a time: only a backslash right before a comma escapes."""
    values, current, i = [], [], 0
    while i < len(text):
        if text[i] == "\\" and text[i + 1 : i + 2] == ",":
            current.append(",")
            i += 2
            continue
        if text[i] == ",":
            values.append("".join(current).strip())
            current = []
        else:
            current.append(text[i])
        i += 1
    values.append("".join(current).strip())
    return values


@given(st.text(alphabet=st.sampled_from(",\\ \tab\x00\x01é\xa0\u3000\u2028\x1f"), max_size=30))
def test_split_row_matches_the_reference(text: str) -> None:
    assert split_row(text) == reference_split(text)


def test_lines_crlf_lf_and_blank_lines_keep_numbers() -> None:
    data = b"h1,h2\r\na,b\n\n  \t\r\nc\\,d ,e\r\n\nf,g"
    result = lines_of(data)
    assert [(line.number, line.values, line.error) for line in result] == [
        (2, ["a", "b"], None),
        (3, None, None),
        (4, None, None),
        (5, ["c,d", "e"], None),
        (6, None, None),
        (7, ["f", "g"], None),
    ]
    assert [line.end_offset for line in result] == [11, 12, 17, 26, 27, 30]
    assert result[-1].end_offset == len(data)


def test_resume_from_any_offset_yields_the_same_remaining_lines() -> None:
    data = "name,cognito:username\r\nÄnne,a\n\nBob\\, Jr.,b\r\n   \nZoë,z\n".encode()
    fp = io.BytesIO(data)
    header = read_header(fp)
    full = list(iter_lines(fp, header.end_offset, 2))
    assert len(full) == 5
    for i, line in enumerate(full):
        resumed = list(iter_lines(fp, line.end_offset, line.number + 1))
        assert resumed == full[i + 1 :]


def test_bom_is_stripped_and_reported() -> None:
    data = b"\xef\xbb\xbfcognito:username , email\nu,e@x.io\n"
    fp = io.BytesIO(data)
    assert prescan(fp) == ScanResult(data_rows=1, bom=True, size=len(data))
    assert read_header(fp) == Header(columns=["cognito:username", "email"], end_offset=28)
    assert [line.values for line in iter_lines(fp, 28, 2)] == [["u", "e@x.io"]]


def test_bom_is_skipped_when_reading_lines_from_the_start() -> None:
    fp = io.BytesIO(b"\xef\xbb\xbfa,b\nc,d\n")
    assert [line.values for line in iter_lines(fp, 0, 1)] == [["a", "b"], ["c", "d"]]


def test_over_long_line_is_skipped_in_bounded_memory() -> None:
    huge = b"x" * (20 * 1024 * 1024)
    data = b"h1,h2\n" + huge + b"\nlast,row\n"
    fp = io.BytesIO(data)
    tracemalloc.start()
    try:
        result = list(iter_lines(fp, 6, 2))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result == [
        Line(2, 6 + len(huge) + 1, None, "The row is longer than 16,000 characters."),
        Line(3, len(data), ["last", "row"], None),
    ]
    assert peak < 4 * 1024 * 1024


def test_over_long_line_without_newline_at_end_of_file() -> None:
    data = b"h\n" + b"y" * 70_000
    assert lines_of(data) == [
        Line(2, len(data), None, "The row is longer than 16,000 characters."),
    ]


def test_row_limit_counts_characters_not_bytes() -> None:
    at_limit = "é" * 16_000
    over = "é" * 16_001
    data = f"h\n{at_limit}\n{over}\nok\n".encode()
    result = lines_of(data)
    assert [(line.number, line.error) for line in result] == [
        (2, None),
        (3, "The row is longer than 16,000 characters."),
        (4, None),
    ]
    assert result[0].values == [at_limit]
    assert result[2].values == ["ok"]


def test_max_chars_is_a_parameter() -> None:
    fp = io.BytesIO(b"h\nabcd\nabcde\n")
    result = list(iter_lines(fp, 2, 2, max_chars=4))
    assert [line.error for line in result] == [None, "The row is longer than 4 characters."]


def test_nul_byte_fails_the_row_not_the_file() -> None:
    data = b"h\na\x00b\nc\n"
    assert prescan(io.BytesIO(data)).data_rows == 2
    assert [(line.values, line.error) for line in lines_of(data)] == [
        (None, NUL_REASON),
        (["c"], None),
    ]


def test_invalid_utf8_reports_its_line() -> None:
    data = b"h\n1\n2\n3\n\n5\nbad \xff byte\n7\n"
    with pytest.raises(CsvFileError) as caught:
        prescan(io.BytesIO(data))
    assert caught.value.message == "The CSV file is not valid UTF-8: invalid byte at line 7."
    with pytest.raises(CsvFileError) as caught:
        lines_of(data)
    assert caught.value.message == "The CSV file is not valid UTF-8: invalid byte at line 7."


def test_invalid_utf8_in_the_header() -> None:
    with pytest.raises(CsvFileError) as caught:
        read_header(io.BytesIO(b"na\xc3me\nx\n"))
    assert caught.value.message == "The CSV file is not valid UTF-8: invalid byte at line 1."


def test_truncated_character_at_end_of_file() -> None:
    with pytest.raises(CsvFileError) as caught:
        prescan(io.BytesIO(b"h\nok\n\xc3"))
    assert caught.value.message == "The CSV file is not valid UTF-8: invalid byte at line 3."


@pytest.mark.parametrize("chunk_size", [1, 2, 3, 5, 7])
def test_prescan_is_chunk_size_independent(
    monkeypatch: pytest.MonkeyPatch, chunk_size: int
) -> None:
    monkeypatch.setattr(csvfile, "CHUNK_SIZE", chunk_size)
    data = "\ufeffh\r\nZoë,日本\r\n\r\n  \n😀\nlast".encode()
    assert prescan(io.BytesIO(data)) == ScanResult(data_rows=3, bom=True, size=len(data))
    bad = "h\né\nx\n".encode() + b"y\xff"
    with pytest.raises(CsvFileError) as caught:
        prescan(io.BytesIO(bad))
    assert caught.value.message == "The CSV file is not valid UTF-8: invalid byte at line 4."


@pytest.mark.parametrize(
    ("data", "rows"),
    [
        (b"h", 0),
        (b"h\n", 0),
        (b"h\na", 1),
        (b"h\na\n", 1),
        (b"h\na\n\n", 1),
        (b"h\r\na\r\n\r\n \r\nb", 2),
        (b"h\n\n\n\na\n", 1),
    ],
)
def test_prescan_counts_data_rows(data: bytes, rows: int) -> None:
    assert prescan(io.BytesIO(data)) == ScanResult(data_rows=rows, bom=False, size=len(data))


def test_prescan_row_limit() -> None:
    assert prescan(io.BytesIO(b"h\na\nb\n\n"), max_rows=2).data_rows == 2
    with pytest.raises(CsvFileError) as caught:
        prescan(io.BytesIO(b"h\na\nb\nc"), max_rows=2)
    assert caught.value.message == "The CSV file has 3 data rows; the limit is 2."
    many = b"h\n" + b"r\n" * 1_001
    with pytest.raises(CsvFileError) as caught:
        prescan(io.BytesIO(many), max_rows=1_000)
    assert caught.value.message == "The CSV file has 1,001 data rows; the limit is 1,000."


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", EMPTY_FILE),
        (b"\xef\xbb\xbf", EMPTY_FILE),
        (b"\n", BLANK_HEADER),
        (b"  \r\nname\n", BLANK_HEADER),
    ],
)
def test_empty_file_and_blank_header(data: bytes, message: str) -> None:
    with pytest.raises(CsvFileError) as caught:
        prescan(io.BytesIO(data))
    assert caught.value.message == message
    with pytest.raises(CsvFileError) as caught:
        read_header(io.BytesIO(data))
    assert caught.value.message == message


def test_header_without_newline_and_with_crlf() -> None:
    assert read_header(io.BytesIO(b"a, b")) == Header(columns=["a", "b"], end_offset=4)
    assert read_header(io.BytesIO(b"a,b\r\nx")) == Header(columns=["a", "b"], end_offset=5)


def test_header_longer_than_the_row_limit() -> None:
    message = "The CSV header row is longer than 16,000 characters."
    for data in (b"h" * 16_001 + b"\n", b"h" * 200_000):
        with pytest.raises(CsvFileError) as caught:
            read_header(io.BytesIO(data))
        assert caught.value.message == message
