"""ListUsers filters answered from ``user_search`` (store/search.py) give exactly what a
scan of the pool gives, on both databases, however the pool got its users (created
one by one, imported, deleted), including values longer than the stored cut, prefixes
at the top of the code point range, and a filter that arrives while the index is out
of date, and the worker's indexer catching up after an import."""

from __future__ import annotations

import time
from typing import Any

import pytest

from cognito_import.domain.filters import parse_filter
from cognito_import.store.search import CUT
from tests.api import all_users
from tests.api.filter_model import matches
from tests.engine.helpers import csv_header, csv_line, run_import, user_row
from tests.live import LiveServer

LONG = "x" * (CUT + 5)
VALUES = ["ann", "Ann", "anne", "an", "b\u00e9a", "\U0010ffff", "\U0010ffffz", LONG, LONG + "y"]


def _filtered(cognito: Any, pool: str, text: str) -> list[str]:
    names: list[str] = []
    kwargs: dict[str, Any] = {"UserPoolId": pool, "Filter": text, "Limit": 2}
    while True:
        page = cognito.list_users(**kwargs)
        names += [u["Username"] for u in page["Users"]]
        if "PaginationToken" not in page:
            return names
        kwargs["PaginationToken"] = page["PaginationToken"]


def _expected(cognito: Any, pool: str, text: str) -> list[str]:
    flt = parse_filter(text)
    assert flt is not None
    found = []
    for user in all_users(cognito, pool):
        attributes = {a["Name"]: a["Value"] for a in user["Attributes"]}
        record = {
            "username": user["Username"],
            "status": user["UserStatus"],
            "enabled": user["Enabled"],
            "attributes": attributes,
        }
        if matches(flt, record):
            found.append(user["Username"])
    return found


def _counts(server: LiveServer, pool: str) -> tuple[int, int]:
    with server.rt.store.db.read() as tx:
        row = tx.one("SELECT user_count, search_count FROM pools WHERE pool_id = ?", (pool,))
    assert row is not None
    return int(row[0]), int(row[1])


def _filters(values: list[str]) -> list[str]:
    def quoted(value: str) -> str:
        return value.replace("\\", "\\\\").replace('"', '\\"')

    texts = []
    for value in values:
        for op in ("=", "^="):
            texts += [f'given_name {op} "{quoted(value)}"', f'name {op} "{quoted(value[:3])}"']
    return [*texts, 'cognito:user_status = "force_change_password"', 'email ^= "u"']


def test_filters_from_the_index_equal_a_scan(server: LiveServer, cognito: Any) -> None:
    pool = cognito.create_user_pool(PoolName="idx", AutoVerifiedAttributes=["email"])["UserPool"][
        "Id"
    ]
    for number, value in enumerate(VALUES):
        cognito.admin_create_user(
            UserPoolId=pool,
            Username=f"u{number}",
            UserAttributes=[
                {"Name": "email", "Value": f"u{number}@example.com"},
                {"Name": "given_name", "Value": value},
                {"Name": "name", "Value": value[::-1]},
            ],
        )
    texts = _filters(VALUES)
    for text in texts:
        assert _filtered(cognito, pool, text) == _expected(cognito, pool, text), text
    users = len(VALUES)
    assert _counts(server, pool) == (users, users)

    # Kept current one user at a time once built.
    cognito.admin_create_user(
        UserPoolId=pool,
        Username="late",
        UserAttributes=[{"Name": "given_name", "Value": "ann"}],
    )
    cognito.admin_delete_user(UserPoolId=pool, Username="u0")
    assert _counts(server, pool) == (users, users)
    assert _filtered(cognito, pool, 'given_name = "ann"') == ["late"]
    sub = next(
        a["Value"]
        for a in cognito.admin_get_user(UserPoolId=pool, Username="late")["UserAttributes"]
        if a["Name"] == "sub"
    )
    assert _filtered(cognito, pool, f'sub = "{sub}"') == ["late"]


@pytest.mark.parametrize("delete_first", [False, True])
def test_an_import_makes_the_index_rebuild(
    server: LiveServer, cognito: Any, delete_first: bool
) -> None:
    pool = cognito.create_user_pool(PoolName="idx", AutoVerifiedAttributes=["email"])["UserPool"][
        "Id"
    ]
    cognito.admin_create_user(UserPoolId=pool, Username="api")
    _wait_current(server, pool, 1)
    header = csv_header(cognito, pool)
    rows = [csv_line(header, user_row(f"imp{i}", given_name=f"g{i % 3}")) for i in range(7)]
    job = run_import(cognito, pool, "\n".join([",".join(header), *rows]).encode())
    assert job["ImportedUsers"] == 7
    if delete_first:
        # A deletion while the index may be out of date.
        cognito.admin_delete_user(UserPoolId=pool, Username="api")
    users = 7 if delete_first else 8
    texts = ('given_name = "g1"', 'email ^= "imp"', 'given_name ^= "g"')
    # Scanned or from the index, whichever the indexer has got to: the same answers.
    for text in texts:
        assert _filtered(cognito, pool, text) == _expected(cognito, pool, text), text
    _wait_current(server, pool, users)
    for text in texts:
        assert _filtered(cognito, pool, text) == _expected(cognito, pool, text), text


def _wait_current(server: LiveServer, pool: str, users: int) -> None:
    """The worker's indexer brings the index up to date soon after an import ends."""
    deadline = time.monotonic() + 20
    while _counts(server, pool) != (users, users):
        assert time.monotonic() < deadline, _counts(server, pool)
        time.sleep(0.05)
