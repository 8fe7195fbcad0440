"""One file, one answer: a row's outcome is what reading the file one row at a time, in
order, against the pool before the job plus the rows accepted before it gives, whatever
the batch size and the number of parser processes.

The oracle is a plain sequential model written here, apart from the engine. Files mix
username repeats (also differing only in case, in a case-insensitive pool), email
repeats, rows colliding with users that existed before the job, and rows that fail on
their own. The first test runs real imports through the server, the second the engine's
parse and decide steps directly with many more examples.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cognito_import.domain.attributes import STANDARD_ATTRIBUTES
from cognito_import.domain.batches import CheckedRow
from cognito_import.domain.csvfile import read_header
from cognito_import.domain.pools import PoolConfig
from cognito_import.domain.rows import SKIPPED_EXISTS, alias_taken_reason, bool_reason, plan_header
from cognito_import.imports.decide import Taken, asked_of_pool, decide
from cognito_import.imports.parse import parse_batches
from tests.conftest import make_client
from tests.engine.helpers import (
    DATABASES,
    build_csv,
    counts,
    create_pool,
    csv_header,
    job_log,
    list_users,
    run_import,
    shared_server,
    user_row,
)
from tests.live import LiveServer

POOL = {"AliasAttributes": ["email"], "UsernameConfiguration": {"CaseSensitive": False}}
NAMES = ["ann", "Ann", "bob", "cy", "dee"]
EMAILS = ["a@x.io", "A@X.io", "b@x.io", "c@x.io", "d@x.io"]
BAD_BOOL = bool_reason("email_verified")
# (batch size, parser processes): every outcome must be the same for each.
KNOBS = [(1, 0), (7, 0), (10_000, 0), (1, 2), (7, 1), (7, 2), (10_000, 2)]

# A row: (username, email, fails on its own).
rows = st.lists(
    st.tuples(
        st.sampled_from(NAMES), st.sampled_from(EMAILS), st.sampled_from([False] * 4 + [True])
    ),
    min_size=1,
    max_size=30,
)
existing = st.lists(st.tuples(st.sampled_from(NAMES), st.sampled_from(EMAILS)), max_size=3)


def model(
    before: list[tuple[str, str]], file: list[tuple[str, str, bool]]
) -> tuple[list[str], list[tuple[str, str]]]:
    """The log and the users (username, email) a sequential reading gives."""
    names = {name.lower() for name, _ in before}
    emails = {email.lower() for _, email in before}
    users = list(before)
    log = []
    for line, (name, email, bad) in enumerate(file, start=2):
        if bad:
            log.append(f"[FAILED] Line Number {line} - {BAD_BOOL}")
        elif name.lower() in names:
            log.append(f"[SKIPPED] Line Number {line} - {SKIPPED_EXISTS}")
        elif email.lower() in emails:
            log.append(f"[FAILED] Line Number {line} - {alias_taken_reason('email')}")
        else:
            log.append(f"[SUCCEEDED] Line Number {line} - The import succeeded.")
            names.add(name.lower())
            emails.add(email.lower())
            users.append((name, email))
    return log, users


def csv_rows(file: list[tuple[str, str, bool]]) -> list[dict[str, str]]:
    return [
        user_row(name, email=email, **({"email_verified": "maybe"} if bad else {}))
        for name, email, bad in file
    ]


def distinct(before: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Users that can all exist together: no username or email twice."""
    kept: list[tuple[str, str]] = []
    for name, email in before:
        if all(name.lower() != n.lower() and email.lower() != e.lower() for n, e in kept):
            kept.append((name, email))
    return kept


# -- through the server -------------------------------------------------------------


@pytest.fixture(scope="module", params=DATABASES)
def live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    # parallel_rows 1: parser processes run whenever the knobs ask for them.
    with shared_server(request.param, tmp_path_factory.mktemp("one"), parallel_rows=1) as live:
        yield live


def import_with(
    live: LiveServer, knobs: tuple[int, int], before: list[tuple[str, str]], data: bytes
) -> tuple[list[str], tuple[int, int, int], list[tuple[str, str]]]:
    batch_size, parsers = knobs
    # The worker reads its settings at each job: one server serves every combination.
    live.rt.settings = replace(live.rt.settings, batch_size=batch_size, parsers=parsers)
    cognito, logs = make_client(live), make_client(live, "logs")
    pool_id = create_pool(cognito, "one-answer", **POOL)
    for name, email in before:
        cognito.admin_create_user(
            UserPoolId=pool_id,
            Username=name,
            MessageAction="SUPPRESS",
            UserAttributes=[
                {"Name": "email", "Value": email},
                {"Name": "email_verified", "Value": "true"},
            ],
        )
    job = run_import(cognito, pool_id, data, timeout=60)
    users = sorted(
        (u["Username"], next(a["Value"] for a in u["Attributes"] if a["Name"] == "email"))
        for u in list_users(cognito, pool_id)
    )
    return job_log(cognito, logs, pool_id, job), counts(job), users


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(before=existing, file=rows)
def test_same_answer_for_every_batch_size_and_parser_count(
    live: LiveServer, before: list[tuple[str, str]], file: list[tuple[str, str, bool]]
) -> None:
    before = distinct(before)
    log, users = model(before, file)
    expected = (
        log,
        (
            sum("[SUCCEEDED]" in m for m in log),
            sum("[SKIPPED]" in m for m in log),
            sum("[FAILED]" in m for m in log),
        ),
        sorted(users),
    )
    for knobs in KNOBS:
        header = csv_header(make_client(live), create_pool(make_client(live), "header", **POOL))
        data = build_csv(header, csv_rows(file))
        assert import_with(live, knobs, before, data) == expected, knobs


# -- the engine's own steps, many more files ------------------------------------------

CONFIG = PoolConfig(
    schema=STANDARD_ATTRIBUTES,
    auto_verified=frozenset({"email"}),
    alias_attributes=frozenset({"email"}),
    case_sensitive=False,
)
HEADER = ["cognito:username", "email", "email_verified", "cognito:mfa_enabled"]


def engine_log(before: list[tuple[str, str]], data: bytes, size: int, stride: int) -> list[str]:
    """Parse with ``stride`` parsers taking turns, then decide each batch against a
    'database' holding the users before the job plus every batch accepted so far, asking
    it only about the batch's own values, as the job does."""
    names = {n.lower() for n, _ in before}
    emails = {e.lower() for _, e in before}
    fp = io.BytesIO(data)
    header = read_header(fp)
    plan = plan_header(header.columns, CONFIG, None)
    shares = [
        list(parse_batches(fp, plan, header.end_offset, 2, size, stride, k)) for k in range(stride)
    ]
    parsed = [shares[i % stride][i // stride] for i in range(sum(map(len, shares)))]
    outcomes: dict[int, str] = {}
    for batch in parsed:
        keys, pairs = asked_of_pool(batch)
        held = Taken(
            {k for k in keys if k in names}, {"email": {v for _, v in pairs if v in emails}}
        )
        decided = decide(batch, held).batch
        for row in decided.accepted:
            names.add(row.username_key)
            emails.update(v for _, v in row.unique_values)
            outcomes[row.line] = "[SUCCEEDED] Line Number {} - The import succeeded."
        for o in decided.outcomes:
            outcomes[o.line] = f"[{o.outcome}] Line Number {{}} - {o.reason}"
    return [outcomes[line].format(line) for line in sorted(outcomes)]


@settings(max_examples=300, deadline=None)
@given(
    before=existing, file=rows, size=st.sampled_from([1, 2, 3, 7, 10_000]), stride=st.integers(1, 3)
)
def test_engine_steps_match_the_sequential_model(
    before: list[tuple[str, str]], file: list[tuple[str, str, bool]], size: int, stride: int
) -> None:
    before = distinct(before)
    data = build_csv(HEADER, [{k: v for k, v in r.items() if k in HEADER} for r in csv_rows(file)])
    assert engine_log(before, data, size, stride) == model(before, file)[0]


def test_a_row_that_failed_claims_nothing() -> None:
    """The issue's own case: bob holds taken@example.com; alice with it FAILS, and the
    next alice, with an email of her own, is imported."""
    file = [("alice", "taken@example.com", False), ("alice", "alice@example.com", False)]
    before = [("bob", "taken@example.com")]
    data = build_csv(HEADER, [{k: v for k, v in r.items() if k in HEADER} for r in csv_rows(file)])
    for size in (1, 2):
        log = engine_log(before, data, size, 1)
        assert log == [
            f"[FAILED] Line Number 2 - {alias_taken_reason('email')}",
            "[SUCCEEDED] Line Number 3 - The import succeeded.",
        ]


def test_checked_rows_carry_their_values() -> None:
    fp = io.BytesIO(build_csv(HEADER, [user_row("Ann", email="A@X.io")]))
    header = read_header(fp)
    plan = plan_header(header.columns, CONFIG, None)
    (batch,) = parse_batches(fp, plan, header.end_offset, 2, 10)
    (row,) = batch.items
    assert isinstance(row, CheckedRow)
    assert (row.username_key, row.unique_values) == ("ann", (("email", "a@x.io"),))
