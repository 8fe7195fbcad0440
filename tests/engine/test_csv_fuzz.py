"""Issue 12: the CSV path under random input. Whatever file is uploaded (random bytes,
random rows in Cognito's dialect, valid files with bytes flipped, cut or repeated), the
job ends in a terminal status, the worker lives on to run the next job, and when the job
read rows its counts equal both its log lines and the users the pool gained.

The server is ``live`` (tests/engine/conftest.py), one per database. Small example
counts here (each example is a whole import); the ``long`` Hypothesis profile
(tests/conftest.py) runs more of them.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import make_client
from tests.engine.helpers import (
    counts,
    create_pool,
    csv_header,
    csv_line,
    job_log,
    list_users,
    run_import,
    user_row,
)
from tests.live import LiveServer

EXAMPLES = 30 if settings().max_examples <= 100 else settings().max_examples // 1000
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
TERMINAL_AFTER_READING = {"Succeeded", "Failed"}
HEADER_KEY = "header"

values = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["true", "FALSE", "maybe", "+15555550100", "x@y.co", "\\,", "01/02/1990"]),
)


def _valid_file(header: list[str], count: int) -> bytes:
    rows = [csv_line(header, user_row(f"user{i}")) for i in range(count)]
    return "\n".join([",".join(header), *rows]).encode()


@st.composite
def files(draw: st.DrawFn, header: list[str]) -> bytes:
    kind = draw(st.sampled_from(["bytes", "rows", "mutated"]))
    if kind == "bytes":
        return draw(st.binary(max_size=400))
    if kind == "rows":
        width = len(header)
        rows = draw(
            st.lists(
                st.lists(values, min_size=width - 1, max_size=width + 1).map(
                    lambda vs: ",".join(v.replace(",", "\\,") for v in vs)
                ),
                max_size=8,
            )
        )
        return "\n".join([",".join(header), *rows]).encode("utf-8", "surrogatepass")
    data = bytearray(_valid_file(header, draw(st.integers(1, 6))))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data) - 1))
        action = draw(st.sampled_from(["flip", "cut", "insert", "repeat"]))
        if action == "flip":
            data[at] = draw(st.integers(0, 255))
        elif action == "cut":
            del data[at : at + draw(st.integers(1, 20))]
        elif action == "insert":
            data[at:at] = draw(
                st.sampled_from([b"\x00", b"\r", b"\n", b",", b"\\", b"\xff", b"\xef\xbb\xbf"])
            )
        else:
            data += data[at : at + 200]
        if not data:
            break
    return bytes(data)


def test_any_file_ends_a_job_with_consistent_counts(live: LiveServer) -> None:
    cognito = make_client(live)
    logs = make_client(live, "logs")
    pool = create_pool(cognito, "csv-fuzz")
    header = csv_header(cognito, pool)

    @SETTINGS
    @given(data=files(header))
    def run(data: bytes) -> None:
        before = len(list_users(cognito, pool))
        job = run_import(cognito, pool, data, timeout=60)
        assert job["Status"] in TERMINAL_AFTER_READING, job
        imported, skipped, failed = counts(job)
        lines = job_log(cognito, logs, pool, job)
        if imported + skipped + failed:
            assert len(lines) == imported + skipped + failed, (job, lines)
        assert len(list_users(cognito, pool)) == before + imported

    run()
    # The worker survived every file: a good file still imports.
    job = run_import(cognito, pool, _valid_file(header, 1).replace(b"user0", b"final"))
    assert counts(job) == (1, 0, 0), job
