"""ListUsers over boto3, on SQLite and PostgreSQL: pagination and its tokens, Limit,
and Filter."""

from __future__ import annotations

import time
import uuid
from functools import partial
from typing import Any

from cognito_import.domain.users import User
from tests.api import account_state, all_users, refused
from tests.api.user_helpers import _as_dict, _attrs, _pool
from tests.live import LiveServer


def test_list_users_pages_with_limit(cognito: Any) -> None:
    pool_id = _pool(cognito)
    names = [f"user{i}" for i in range(7)]
    for name in reversed(names):
        cognito.admin_create_user(UserPoolId=pool_id, Username=name)
    pages: list[list[str]] = []
    kwargs: dict[str, Any] = {"UserPoolId": pool_id, "Limit": 3}
    while True:
        page = cognito.list_users(**kwargs)
        pages.append([u["Username"] for u in page["Users"]])
        if "PaginationToken" not in page:
            break
        kwargs["PaginationToken"] = page["PaginationToken"]
    assert pages == [names[0:3], names[3:6], names[6:]]
    paginator = cognito.get_paginator("list_users")
    paged = [
        u["Username"]
        for page in paginator.paginate(UserPoolId=pool_id, PaginationConfig={"PageSize": 2})
        for u in page["Users"]
    ]
    assert paged == names
    assert cognito.list_users(UserPoolId=pool_id, Limit=60)["Users"] == all_users(cognito, pool_id)


def test_list_users_refuses_bad_tokens_and_limits(cognito: Any) -> None:
    pool_id = _pool(cognito)
    other_pool = _pool(cognito)
    for name in ("a", "b", "c"):
        cognito.admin_create_user(UserPoolId=pool_id, Username=name)
        cognito.admin_create_user(UserPoolId=other_pool, Username=name)
    token = cognito.list_users(UserPoolId=pool_id, Limit=1)["PaginationToken"]
    foreign = cognito.list_users(UserPoolId=other_pool, Limit=1)["PaginationToken"]
    before = account_state(cognito)
    invalid = ("InvalidParameterException", 400, "Invalid pagination token.")
    for bad, flt in (("forged", None), (foreign, None), (token, 'username ^= "a"')):
        kwargs: dict[str, Any] = {"UserPoolId": pool_id, "PaginationToken": bad}
        if flt is not None:
            kwargs["Filter"] = flt
        assert refused(partial(cognito.list_users, **kwargs)) == invalid
    assert refused(lambda: cognito.list_users(UserPoolId=pool_id, Limit=61)) == (
        "InvalidParameterException",
        400,
        "1 validation error detected: Value '61' at 'limit' failed to satisfy constraint: "
        "Member must have value less than or equal to 60",
    )
    assert account_state(cognito) == before


def _seed_filter_pool(server: LiveServer, cognito: Any) -> tuple[str, dict[str, str]]:
    """A pool with four users; one imported-style (RESET_REQUIRED) and disabled, which
    no API of issue 2 can produce, is written through the server's own store."""
    pool_id = _pool(cognito)
    people = {
        "alice": _attrs(email="alice@example.com", family_name="Smith", given_name='Al "A" X'),
        "alfred": _attrs(email="alfred@example.com", family_name="Smythe"),
        "bob": _attrs(email="bob@example.com", family_name="Jones"),
    }
    subs: dict[str, str] = {}
    for name, attributes in people.items():
        user = cognito.admin_create_user(
            UserPoolId=pool_id, Username=name, UserAttributes=attributes
        )
        subs[name] = _as_dict(user["User"]["Attributes"])["sub"]
    subs["zed"] = str(uuid.uuid4())
    now = time.time()
    server.rt.store.pools.insert_user(
        User(
            pool_id=pool_id,
            username="zed",
            username_key="zed",
            sub=subs["zed"],
            status="RESET_REQUIRED",
            enabled=False,
            created=now,
            modified=now,
            attributes={"email": "zed@example.com", "family_name": "Smith"},
        )
    )
    return pool_id, subs


def test_list_users_filters(server: LiveServer, cognito: Any) -> None:
    pool_id, subs = _seed_filter_pool(server, cognito)
    cases = {
        'email = "bob@example.com"': ["bob"],
        'email="bob@example.com"': ["bob"],
        'email = "BOB@example.com"': [],
        'email ^= "al"': ["alfred", "alice"],
        'family_name = "Smith"': ["alice", "zed"],
        'family_name ^= "Sm"': ["alfred", "alice", "zed"],
        'given_name = "Al \\"A\\" X"': ["alice"],
        'status = "Enabled"': ["alfred", "alice", "bob"],
        'status = "Disabled"': ["zed"],
        'cognito:user_status = "FORCE_CHANGE_PASSWORD"': ["alfred", "alice", "bob"],
        'cognito:user_status = "reset_required"': ["zed"],
        'username ^= "al"': ["alfred", "alice"],
        'username = "bob"': ["bob"],
        f'sub = "{subs["alfred"]}"': ["alfred"],
        'name = "nobody"': [],
        "": ["alfred", "alice", "bob", "zed"],
    }
    for flt, expected in cases.items():
        users = cognito.list_users(UserPoolId=pool_id, Filter=flt)["Users"]
        assert [u["Username"] for u in users] == expected, flt
    # A filter pages like the full listing.
    first = cognito.list_users(UserPoolId=pool_id, Filter='family_name ^= "Sm"', Limit=2)
    rest = cognito.list_users(
        UserPoolId=pool_id,
        Filter='family_name ^= "Sm"',
        Limit=2,
        PaginationToken=first["PaginationToken"],
    )
    assert [u["Username"] for u in first["Users"] + rest["Users"]] == ["alfred", "alice", "zed"]
    assert "PaginationToken" not in rest
    only = cognito.list_users(
        UserPoolId=pool_id, Filter='username = "zed"', AttributesToGet=["email"]
    )
    assert only["Users"][0]["Attributes"] == [{"Name": "email", "Value": "zed@example.com"}]
    assert only["Users"][0]["UserStatus"] == "RESET_REQUIRED"
    assert only["Users"][0]["Enabled"] is False


BAD_FILTERS = {
    "email = bob": "Error while parsing filter.",
    'email ~= "bob"': "Error while parsing filter.",
    'email = "bob" or 1': "Error while parsing filter.",
    '"email" = "bob"': "Error while parsing filter.",
    'custom:tier = "gold"': "Invalid search attribute: custom:tier",
    'nickname = "bob"': "Invalid search attribute: nickname",
}


def test_bad_filters_are_refused(cognito: Any) -> None:
    pool_id = _pool(cognito)
    cognito.admin_create_user(UserPoolId=pool_id, Username="bob")
    before = account_state(cognito)
    got = {
        flt: refused(partial(cognito.list_users, UserPoolId=pool_id, Filter=flt))
        for flt in BAD_FILTERS
    }
    assert got == {
        flt: ("InvalidParameterException", 400, message) for flt, message in BAD_FILTERS.items()
    }
    # A pool that does not exist is told before what is wrong with the filter.
    missing = ("ResourceNotFoundException", 400, "User pool us-east-1_000000000 does not exist.")
    for flt in BAD_FILTERS:
        call = partial(cognito.list_users, UserPoolId="us-east-1_000000000", Filter=flt)
        assert refused(call) == missing
    assert account_state(cognito) == before
