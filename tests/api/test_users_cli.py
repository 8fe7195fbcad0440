"""AdminCreateUser, AdminGetUser, ListUsers and AdminDeleteUser through the aws CLI, on
SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from tests.api import all_users
from tests.api.user_helpers import _pool
from tests.conftest import AwsCli


def test_users_through_the_aws_cli(aws: AwsCli, cognito: Any) -> None:
    pool_id = _pool(cognito, AliasAttributes=["email"])
    created = aws.json(
        "cognito-idp",
        "admin-create-user",
        "--user-pool-id",
        pool_id,
        "--username",
        "alice",
        "--user-attributes",
        "Name=email,Value=alice@example.com",
        "Name=email_verified,Value=true",
        "--message-action",
        "SUPPRESS",
    )["User"]
    assert created["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    for name in ("bob", "carol", "dave"):
        cognito.admin_create_user(UserPoolId=pool_id, Username=name)
    got = aws.json(
        "cognito-idp",
        "admin-get-user",
        "--user-pool-id",
        pool_id,
        "--username",
        "alice@example.com",
    )
    assert got["Username"] == "alice"
    assert got["UserAttributes"] == created["Attributes"]
    # The CLI follows PaginationToken itself: two users per request still lists all four.
    listed = aws.json("cognito-idp", "list-users", "--user-pool-id", pool_id, "--page-size", "2")
    assert [u["Username"] for u in listed["Users"]] == ["alice", "bob", "carol", "dave"]
    filtered = aws.json(
        "cognito-idp", "list-users", "--user-pool-id", pool_id, "--filter", 'username ^= "c"'
    )
    assert [u["Username"] for u in filtered["Users"]] == ["carol"]
    done = aws.run(
        "cognito-idp", "admin-delete-user", "--user-pool-id", pool_id, "--username", "bob"
    )
    assert done.returncode == 0, done.stderr
    missing = aws.run(
        "cognito-idp", "admin-get-user", "--user-pool-id", pool_id, "--username", "bob"
    )
    assert missing.returncode == 255
    assert missing.stderr.strip() == (
        "An error occurred (UserNotFoundException) when calling the AdminGetUser operation: "
        "User does not exist."
    )
    remaining = [u["Username"] for u in all_users(cognito, pool_id)]
    assert remaining == ["alice", "carol", "dave"]
