"""Properties of whole imports, checked with generated files through the server.

1. Every non-blank data line gets exactly one outcome: Imported + Skipped + Failed is
   the number of data rows, the log has one event per such line in line order, and the
   pool holds exactly the imported users.
2. Writing a user's attributes in our dialect and importing them gives the same
   attributes back (values without surrounding whitespace or newlines, and within the
   text rule of ``domain.values``: no NUL, other C0 controls but tab, or U+FFFE/U+FFFF).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from cognito_import.domain.values import is_text
from tests.conftest import make_client
from tests.engine.helpers import (
    DATABASES,
    attributes,
    counts,
    create_pool,
    csv_header,
    csv_line,
    job_log,
    run_import,
    shared_server,
    user_row,
    usernames,
)
from tests.live import LiveServer

SETTINGS = settings(
    max_examples=25,
    deadline=None,
    # One server serves every example; each example makes its own pool.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# A row of each kind, as (kind, username); blank lines are data-less and get no event.
GOOD, FAILING, RAGGED, BLANK = "good", "failing", "ragged", "blank"
row_kinds = st.one_of(
    st.tuples(st.just(GOOD), st.sampled_from(["ann", "Ann", "bob", "cy"])),
    st.tuples(st.just(FAILING), st.sampled_from(["bad bool", "bad user", "bad phone"])),
    st.tuples(st.just(RAGGED), st.integers(min_value=1, max_value=30).filter(lambda n: n != 21)),
    st.tuples(st.just(BLANK), st.sampled_from(["", " ", "\t ", "   "])),
)


@pytest.fixture(scope="module", params=DATABASES)
def live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    with shared_server(request.param, tmp_path_factory.mktemp("props")) as server:
        yield server


def render(header: list[str], kind: str, arg: Any, number: int) -> str:
    if kind == GOOD:
        return csv_line(header, user_row(arg))
    if kind == FAILING:
        problem = {
            "bad bool": user_row(f"u{number}", email_verified="maybe"),
            "bad user": user_row(f"u {number}"),
            "bad phone": user_row(f"u{number}", phone_number="0123"),
        }
        return csv_line(header, problem[arg])
    if kind == RAGGED:
        return ",".join(f"v{i}" for i in range(arg))
    return str(arg)


@SETTINGS
@given(
    rows=st.lists(row_kinds, min_size=1, max_size=30),
    newline=st.sampled_from(["\n", "\r\n"]),
    bom=st.booleans(),
    final_newline=st.booleans(),
)
def test_every_data_row_has_one_outcome(
    live: LiveServer,
    rows: list[tuple[str, Any]],
    newline: str,
    bom: bool,
    final_newline: bool,
) -> None:
    assume(any(kind != BLANK for kind, _ in rows))
    cognito = make_client(live)
    logs = make_client(live, "logs")
    pool_id = create_pool(cognito, "props-outcomes")
    header = csv_header(cognito, pool_id)
    lines = [",".join(header)]
    expected: list[tuple[int, str]] = []  # (line, outcome) as a trivial model says
    seen: set[str] = set()
    for number, (kind, arg) in enumerate(rows, start=2):
        lines.append(render(header, kind, arg, number))
        if kind == GOOD:
            expected.append((number, "SKIPPED" if arg in seen else "SUCCEEDED"))
            seen.add(arg)
        elif kind != BLANK:
            expected.append((number, "FAILED"))
    text = newline.join(lines) + (newline if final_newline else "")
    data = ("\ufeff" if bom else "").encode() + text.encode()

    job = run_import(cognito, pool_id, data)

    outcomes = [o for _, o in expected]
    assert sum(counts(job)) == len(expected)
    assert counts(job) == tuple(outcomes.count(o) for o in ("SUCCEEDED", "SKIPPED", "FAILED"))
    log = job_log(cognito, logs, pool_id, job)
    assert [(int(m.split(" - ")[0].rsplit(" ", 1)[1]), m[1 : m.index("]")]) for m in log] == (
        expected
    )
    assert usernames(cognito, pool_id) == sorted(seen)


CUSTOM_NOTE = {"Name": "note", "AttributeDataType": "String"}
STRING_COLUMNS = [
    "name",
    "given_name",
    "family_name",
    "middle_name",
    "nickname",
    "preferred_username",
    "profile",
    "picture",
    "website",
    "gender",
    "zoneinfo",
    "locale",
    "address",
    "custom:note",
]
# Any character the text rule allows but newlines, with the dialect's special ones often.
characters = st.one_of(
    st.characters(blacklist_categories=["Cs"], blacklist_characters="\n\r").filter(is_text),
    st.sampled_from([",", "\\", " ", "\t", '"', "é", "😀"]),
)
short = st.text(characters, max_size=40)
long = st.builds(lambda c, n: c * n, st.sampled_from(["x", "\\,", "é,"]), st.integers(900, 1024))
values = (
    st.one_of(short, short, short, long).map(lambda v: v[:2048]).filter(lambda v: v == v.strip())
)
username_chars = st.characters(categories=["L", "N", "P", "S"])
usernames_ = st.text(username_chars, min_size=1, max_size=20).filter(
    lambda u: u == u.strip() and u.isprintable()
)


@SETTINGS
@given(
    username=usernames_,
    chosen=st.dictionaries(st.sampled_from(STRING_COLUMNS), values, max_size=len(STRING_COLUMNS)),
    email_local=st.text("abcXYZ019._+-", min_size=1, max_size=20),
)
def test_attributes_round_trip(
    live: LiveServer, username: str, chosen: dict[str, str], email_local: str
) -> None:
    cognito = make_client(live)
    pool_id = create_pool(cognito, "props-round-trip", Schema=[CUSTOM_NOTE])
    header = csv_header(cognito, pool_id)
    row = user_row(username, email=f"{email_local}@Example.COM", **chosen)
    line = csv_line(header, row)
    assume(len(line) <= 16_000)
    data = (",".join(header) + "\n" + line + "\n").encode()

    job = run_import(cognito, pool_id, data)

    assert counts(job) == (1, 0, 0), job
    user = cognito.admin_get_user(UserPoolId=pool_id, Username=username)
    assert user["Username"] == username
    got = attributes(user)
    got.pop("sub")
    want = {
        k: v for k, v in row.items() if v and k not in ("cognito:username", "cognito:mfa_enabled")
    }
    assert got == want
