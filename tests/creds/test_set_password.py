"""AdminSetUserPassword, AdminDisableUser and AdminEnableUser over boto3: statuses, the
pool's password policy with AWS's texts, and refusals that change nothing."""

from __future__ import annotations

from functools import partial
from typing import Any

import pytest

from tests.api import refused
from tests.conftest import make_client
from tests.creds.helpers import GOOD, OTHER_GOOD, make_pool, make_user, password_works, snapshot
from tests.live import OTHER_KEY, LiveServer

NOT_FOUND = ("UserNotFoundException", 400, "User does not exist.")
PREFIX = "Password does not conform to policy: "


def _status(cognito: Any, pool_id: str, username: str = "jane") -> tuple[str, bool]:
    user = cognito.admin_get_user(UserPoolId=pool_id, Username=username)
    return user["UserStatus"], user["Enabled"]


@pytest.mark.parametrize(
    ("permanent", "status"), [(True, "CONFIRMED"), (False, "FORCE_CHANGE_PASSWORD")]
)
def test_permanent_decides_the_status(
    server: LiveServer, cognito: Any, permanent: bool, status: str
) -> None:
    s = make_pool(cognito)
    make_user(cognito, s.pool_id)
    answer = cognito.admin_set_user_password(
        UserPoolId=s.pool_id, Username="jane", Password=GOOD, Permanent=permanent
    )
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert _status(cognito, s.pool_id) == (status, True)
    assert password_works(server, s.pool_id, GOOD)
    assert not password_works(server, s.pool_id, OTHER_GOOD)
    user = server.rt.store.pools.get_user(s.pool_id, "jane")
    assert user is not None and user.hash_algorithm == "SRP"


def test_a_later_password_replaces_the_first(server: LiveServer, cognito: Any) -> None:
    s = make_pool(cognito)
    make_user(cognito, s.pool_id)
    for password in (GOOD, OTHER_GOOD):
        cognito.admin_set_user_password(
            UserPoolId=s.pool_id, Username="jane", Password=password, Permanent=True
        )
    assert password_works(server, s.pool_id, OTHER_GOOD)
    assert not password_works(server, s.pool_id, GOOD)


def test_the_user_may_be_named_by_an_alias(server: LiveServer, cognito: Any) -> None:
    pool_id = cognito.create_user_pool(PoolName="emails", UsernameAttributes=["email"])["UserPool"][
        "Id"
    ]
    made = cognito.admin_create_user(
        UserPoolId=pool_id, Username="jane@example.com", MessageAction="SUPPRESS"
    )["User"]
    cognito.admin_set_user_password(
        UserPoolId=pool_id, Username="jane@example.com", Password=GOOD, Permanent=True
    )
    # The verifier is made with the internal username (the sub), USER_ID_FOR_SRP.
    assert password_works(server, pool_id, GOOD, username=made["Username"])


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("Sh0rt!", "Password not long enough"),
        ("no-upper-1", "Password must have uppercase characters"),
        ("NO-LOWER-1", "Password must have lowercase characters"),
        ("No-Numbers", "Password must have numeric characters"),
        ("N0Symbols1", "Password must have symbol characters"),
    ],
)
def test_the_default_policy_refuses_with_awss_text(
    server: LiveServer, cognito: Any, password: str, problem: str
) -> None:
    s = make_pool(cognito)
    make_user(cognito, s.pool_id)
    before = snapshot(server, s.pool_id)
    assert refused(
        lambda: cognito.admin_set_user_password(
            UserPoolId=s.pool_id, Username="jane", Password=password, Permanent=True
        )
    ) == ("InvalidPasswordException", 400, PREFIX + problem)
    assert snapshot(server, s.pool_id) == before


def test_the_pools_own_policy_is_used(server: LiveServer, cognito: Any) -> None:
    relaxed = {
        "MinimumLength": 12,
        "RequireUppercase": False,
        "RequireLowercase": True,
        "RequireNumbers": False,
        "RequireSymbols": False,
    }
    pool_id = cognito.create_user_pool(PoolName="relaxed", Policies={"PasswordPolicy": relaxed})[
        "UserPool"
    ]["Id"]
    make_user(cognito, pool_id)
    cognito.admin_set_user_password(
        UserPoolId=pool_id, Username="jane", Password="onlylowercase", Permanent=True
    )
    assert password_works(server, pool_id, "onlylowercase")
    assert refused(
        lambda: cognito.admin_set_user_password(
            UserPoolId=pool_id, Username="jane", Password="lowercase", Permanent=True
        )
    ) == ("InvalidPasswordException", 400, PREFIX + "Password not long enough")


def test_unknown_user_pool_or_account_changes_nothing(server: LiveServer, cognito: Any) -> None:
    s = make_pool(cognito)
    make_user(cognito, s.pool_id)
    before = snapshot(server, s.pool_id)
    assert (
        refused(
            lambda: cognito.admin_set_user_password(
                UserPoolId=s.pool_id, Username="nobody", Password=GOOD, Permanent=True
            )
        )
        == NOT_FOUND
    )
    other = make_client(server, key_id=OTHER_KEY.key_id, secret=OTHER_KEY.secret)
    code, status, _ = refused(
        lambda: other.admin_set_user_password(
            UserPoolId=s.pool_id, Username="jane", Password=GOOD, Permanent=True
        )
    )
    assert (code, status) == ("ResourceNotFoundException", 400)
    # The model's constraints come first: an empty password is a validation error.
    assert refused(
        lambda: cognito.admin_set_user_password(
            UserPoolId=s.pool_id, Username="jane", Password="", Permanent=True
        )
    )[0] in ("InvalidParameterException", "ParamValidationError")
    assert snapshot(server, s.pool_id) == before


def test_disable_and_enable(server: LiveServer, cognito: Any) -> None:
    s = make_pool(cognito)
    make_user(cognito, s.pool_id)
    cognito.admin_disable_user(UserPoolId=s.pool_id, Username="jane")
    assert _status(cognito, s.pool_id)[1] is False
    listed = cognito.list_users(UserPoolId=s.pool_id, Filter='status = "Disabled"')["Users"]
    assert [u["Username"] for u in listed] == ["jane"]
    # Twice is fine, as at AWS.
    cognito.admin_disable_user(UserPoolId=s.pool_id, Username="jane")
    cognito.admin_enable_user(UserPoolId=s.pool_id, Username="jane")
    assert _status(cognito, s.pool_id)[1] is True
    before = snapshot(server, s.pool_id)
    for name in ("admin_disable_user", "admin_enable_user"):
        call = partial(getattr(cognito, name), UserPoolId=s.pool_id, Username="nobody")
        assert refused(call) == NOT_FOUND
    assert snapshot(server, s.pool_id) == before


def test_listusers_status_filter_follows_the_changes(server: LiveServer, cognito: Any) -> None:
    s = make_pool(cognito)
    for name in ("jane", "john"):
        make_user(cognito, s.pool_id, name)

    def with_status(status: str) -> list[str]:
        flt = f'cognito:user_status = "{status}"'
        return [
            u["Username"] for u in cognito.list_users(UserPoolId=s.pool_id, Filter=flt)["Users"]
        ]

    assert with_status("FORCE_CHANGE_PASSWORD") == ["jane", "john"]
    cognito.admin_set_user_password(
        UserPoolId=s.pool_id, Username="jane", Password=GOOD, Permanent=True
    )
    cognito.admin_reset_user_password(UserPoolId=s.pool_id, Username="john")
    assert server.rt.store.pools.search.current(s.pool_id)
    assert with_status("CONFIRMED") == ["jane"]
    assert with_status("RESET_REQUIRED") == ["john"]
    assert with_status("FORCE_CHANGE_PASSWORD") == []
