"""Hostile and broken files: each ends as a Failed job whose CompletionMessage names the
problem (and nothing imported), or as failed rows with a reason, and the server keeps
answering while and after it reads them."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from cognito_import.domain.csvfile import (
    BLANK_HEADER,
    EMPTY_FILE,
    NUL_REASON,
    not_utf8_message,
    too_long_reason,
)
from cognito_import.imports.parse import NO_DATA_ROWS
from tests.conftest import make_client
from tests.engine.helpers import (
    DATABASES,
    build_csv,
    counts,
    create_pool,
    csv_header,
    csv_line,
    describe,
    failed,
    job_log,
    no_delay,
    run_import,
    shared_server,
    start_job,
    succeeded,
    user_row,
    usernames,
)
from tests.live import LiveServer

MB = 1024 * 1024
HEADER_TOO_LONG = "The CSV header row is longer than 16,000 characters."
# Header -> file bytes, for the files that fail as a whole.
FileMaker = Callable[[list[str]], bytes]


@pytest.fixture(scope="module", params=DATABASES)
def live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    with shared_server(request.param, tmp_path_factory.mktemp("bad")) as server:
        yield server


def good(header: list[str], *names: str) -> bytes:
    return b"".join(csv_line(header, user_row(n)).encode() + b"\n" for n in names)


def first_invalid_line(data: bytes) -> int:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return data[: exc.start].count(b"\n") + 1
    raise AssertionError("the garbage happens to be UTF-8")


GARBAGE = random.Random(4).randbytes(64 * 1024)


def head(header: list[str]) -> bytes:
    return ",".join(header).encode() + b"\n"


WHOLE_FILE_FAILURES: list[tuple[str, FileMaker, str]] = [
    ("binary-garbage", lambda h: GARBAGE, not_utf8_message(first_invalid_line(GARBAGE))),
    (
        "invalid-utf8-after-good-rows",
        lambda h: head(h) + good(h, *map(str, range(28))) + b"bad\xc3\x28row\n" + good(h, "z"),
        not_utf8_message(30),
    ),
    (
        "nul-bytes-as-header",
        lambda h: b"\x00" * 3 + b"\n" + good(h, "a"),
        "The CSV header has a column that is not an attribute of this user pool: \\x00\\x00\\x00.",
    ),
    ("single-5mb-line", lambda h: b"a" * (5 * MB), HEADER_TOO_LONG),
    (
        "header-of-10000-columns",
        lambda h: ",".join(f"column{i}" for i in range(10_000)).encode() + b"\n" + good(h, "a"),
        HEADER_TOO_LONG,
    ),
    (
        "header-of-2500-unknown-columns",
        lambda h: ",".join(f"c{i}" for i in range(2500)).encode() + b"\n" + good(h, "a"),
        "The CSV header has columns that are not attributes of this user pool: "
        "c0, c1, c2, c3, c4 and 2495 more.",
    ),
    ("empty-file", lambda h: b"", EMPTY_FILE),
    ("bom-only", lambda h: b"\xef\xbb\xbf", EMPTY_FILE),
    ("blank-header", lambda h: b"\r\n" + good(h, "a"), BLANK_HEADER),
    ("header-only", lambda h: head(h), NO_DATA_ROWS),
    ("header-and-blank-lines", lambda h: head(h) + b"\n  \n\r\n", NO_DATA_ROWS),
    (
        "header-without-username",
        lambda h: ",".join(h[:-1]).encode() + b"\n" + b"," * (len(h) - 2) + b"\n",
        "The CSV header is missing the required column cognito:username.",
    ),
]


@pytest.mark.parametrize(
    ("make", "message"),
    [(make, message) for _, make, message in WHOLE_FILE_FAILURES],
    ids=[name for name, _, _ in WHOLE_FILE_FAILURES],
)
def test_unusable_file_fails_the_job(live: LiveServer, make: FileMaker, message: str) -> None:
    cognito = make_client(live)
    logs = make_client(live, "logs")
    pool_id = create_pool(cognito, "bad-file")
    data = make(csv_header(cognito, pool_id))

    job = run_import(cognito, pool_id, data)

    assert (job["Status"], job["CompletionMessage"]) == ("Failed", message)
    assert counts(job) == (0, 0, 0)
    assert usernames(cognito, pool_id) == []
    assert job_log(cognito, logs, pool_id, job) == []


def test_bad_rows_fail_alone(live: LiveServer) -> None:
    """NUL bytes, an over-long line and ragged rows each fail their own line only."""
    cognito = make_client(live)
    logs = make_client(live, "logs")
    pool_id = create_pool(cognito, "bad-rows")
    header = csv_header(cognito, pool_id)
    nul = csv_line(header, user_row("nul", name="a\x00b")).encode() + b"\n"
    data = b"".join(
        [
            head(header),
            good(header, "a"),
            nul,
            b"x" * (5 * MB) + b"\n",
            b"only,three,values\n",
            good(header, "b").rstrip(b"\n") + b",extra\n",
            b"," * 19 + b"\n",
            good(header, "c"),
        ]
    )

    job = run_import(cognito, pool_id, data)

    assert counts(job) == (2, 0, 5)
    assert job_log(cognito, logs, pool_id, job) == [
        succeeded(2),
        failed(3, NUL_REASON),
        failed(4, too_long_reason(16_000)),
        failed(5, "The row has 3 values but the header has 21 columns."),
        failed(6, "The row has 22 values but the header has 21 columns."),
        failed(7, "The row has 20 values but the header has 21 columns."),
        succeeded(8),
    ]
    assert usernames(cognito, pool_id) == ["a", "c"]


def test_100mb_single_line_while_the_server_keeps_answering(
    live: LiveServer, tmp_path: Path
) -> None:
    """The largest upload allowed, nearly all one line, streamed from disk both ways."""
    cognito = make_client(live)
    logs = make_client(live, "logs")
    pool_id = create_pool(cognito, "huge-line")
    header = csv_header(cognito, pool_id)
    top, tail = head(header) + good(header, "first"), b"\n" + good(header, "last")
    path = tmp_path / "huge.csv"
    with path.open("wb") as out:
        out.write(top)
        filler = live.settings.max_upload_bytes - len(top) - len(tail)
        chunk = b"y" * MB
        for _ in range(filler // MB):
            out.write(chunk)
        out.write(b"y" * (filler % MB))
        out.write(tail)
    assert path.stat().st_size == 100 * MB

    with path.open("rb") as data:
        job = start_job(cognito, pool_id, data)
    slowest = 0.0
    deadline = time.monotonic() + 30
    while True:
        began = time.monotonic()
        current = describe(cognito, pool_id, job["JobId"])
        slowest = max(slowest, time.monotonic() - began)
        if current["Status"] in ("Succeeded", "Failed"):
            break
        assert time.monotonic() < deadline, current
        time.sleep(0.05)

    assert slowest < 1.0
    # One failed row of two is not more than half: the job succeeds.
    assert (current["Status"], counts(current)) == ("Succeeded", (2, 0, 1))
    assert job_log(cognito, logs, pool_id, current) == [
        succeeded(2),
        failed(3, too_long_reason(16_000)),
        succeeded(4),
    ]


def test_server_still_imports_after_bad_files(live: LiveServer) -> None:
    cognito = make_client(live)
    pool_id = create_pool(cognito, "after-bad")
    header = csv_header(cognito, pool_id)
    started = time.monotonic()
    job = run_import(cognito, pool_id, head(header) + good(header, "ok"))
    assert (job["Status"], counts(job)) == ("Succeeded", (1, 0, 0))
    assert time.monotonic() - started < 5


def test_long_unique_values_do_not_wedge_the_worker(server: LiveServer) -> None:
    """Alias values are keyed in the database; one near the 2,048-character limit, in
    4-byte characters that do not compress (over PostgreSQL's 2,704-byte index entry
    limit), must import, not stop every later import of the account."""
    cognito = make_client(no_delay(server))
    pool_id = create_pool(cognito, "long-alias", AliasAttributes=["email", "preferred_username"])
    header = csv_header(cognito, pool_id)
    email = "".join(chr(0x1F300 + i * 7919 % 700) for i in range(700)) + "@example.com"
    preferred = "".join(chr(0x4E00 + i * 7919 % 20_000) for i in range(2048))
    rows = [user_row("a", email=email), user_row("b", preferred_username=preferred)]
    job = run_import(cognito, pool_id, build_csv(header, rows), timeout=5)
    assert (job["Status"], counts(job)) == ("Succeeded", (2, 0, 0))
    got = cognito.admin_get_user(UserPoolId=pool_id, Username="b")
    assert {"Name": "preferred_username", "Value": preferred} in got["UserAttributes"]
