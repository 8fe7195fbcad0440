"""Issue 12: the text rule (``domain.values``) at every entry point, on both databases.

A string may hold only XML 1.0's characters: NUL, the other C0 controls but tab, line
feed and carriage return, unpaired surrogates, U+FFFE and U+FFFF are refused where they
arrive, the same way on SQLite and PostgreSQL, and what is stored never breaks a later
read (a NUL once made every filtered ListUsers on PostgreSQL fail).
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from cognito_import.domain.csvfile import NUL_REASON
from cognito_import.domain.values import TEXT_RULE, not_text_reason
from tests.api import account_state, call, envelope
from tests.engine.helpers import csv_header, csv_line, job_log, run_import, user_row
from tests.live import LiveServer

BAD = ["a\x00b", "\ud800", "x\udfff", "\x1b[31m", "\x7f\x0b", "\ufffe"]


def _pool(cognito: Any) -> str:
    return str(
        cognito.create_user_pool(PoolName="text", AutoVerifiedAttributes=["email"])["UserPool"][
            "Id"
        ]
    )


def _invalid(response: Any) -> str:
    status, body = envelope(response)
    assert (status, body["__type"]) == (400, "InvalidParameterException"), body
    return str(body["message"])


@pytest.mark.parametrize("value", BAD)
def test_admin_create_user_attribute_outside_the_rule(
    server: LiveServer, cognito: Any, value: str
) -> None:
    pool = _pool(cognito)
    before = account_state(cognito)
    attributes = [{"Name": "email", "Value": "a@example.com"}, {"Name": "name", "Value": value}]
    params = {"UserPoolId": pool, "Username": "ann", "UserAttributes": attributes}
    message = _invalid(call(server, "AdminCreateUser", params))
    # ("\x7f\x0b": DEL is allowed, the vertical tab is not.)
    assert message == (
        "1 validation error detected: Value at 'userAttributes.2.member.value' "
        f"failed to satisfy constraint: {TEXT_RULE}"
    )
    assert account_state(cognito) == before


def test_allowed_controls_are_stored_and_read_back(server: LiveServer, cognito: Any) -> None:
    pool = _pool(cognito)
    value = "line 1\r\nline 2\ttabbed \x7f \ud83d\ude00"  # the emoji as a surrogate pair
    attributes = [{"Name": "email", "Value": "a@example.com"}, {"Name": "address", "Value": value}]
    params = {"UserPoolId": pool, "Username": "ann", "UserAttributes": attributes}
    assert call(server, "AdminCreateUser", params).status_code == 200
    got = cognito.admin_get_user(UserPoolId=pool, Username="ann")["UserAttributes"]
    assert {"Name": "address", "Value": "line 1\r\nline 2\ttabbed \x7f \U0001f600"} in got
    found = cognito.list_users(UserPoolId=pool, Filter='email = "a@example.com"')["Users"]
    assert [u["Username"] for u in found] == ["ann"]


@pytest.mark.parametrize("value", ["a\x00b", "\ud800"])
def test_usernames_outside_the_rule(server: LiveServer, cognito: Any, value: str) -> None:
    pool = _pool(cognito)
    message = _invalid(call(server, "AdminCreateUser", {"UserPoolId": pool, "Username": value}))
    # The model's own pattern refuses them first, so only its error is reported.
    assert message.endswith(
        "at 'username' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+"
    )


@pytest.mark.parametrize("value", BAD)
def test_list_users_filters_outside_the_rule(server: LiveServer, cognito: Any, value: str) -> None:
    pool = _pool(cognito)
    cognito.admin_create_user(
        UserPoolId=pool, Username="ann", UserAttributes=[{"Name": "email", "Value": "a@b.co"}]
    )
    for text in (f'email = "{value}"', f'email ^= "{value}"', f'username = "{value}"'):
        message = _invalid(call(server, "ListUsers", {"UserPoolId": pool, "Filter": text}))
        assert message.endswith(f"at 'filter' failed to satisfy constraint: {TEXT_RULE}"), message
    # And the pool still answers filtered reads.
    found = cognito.list_users(UserPoolId=pool, Filter='email ^= "a@"')["Users"]
    assert [u["Username"] for u in found] == ["ann"]


@pytest.mark.parametrize("value", ["job\x0bname", "job\x00"])
def test_job_names_outside_the_rule(server: LiveServer, cognito: Any, value: str) -> None:
    pool = _pool(cognito)
    params = {
        "UserPoolId": pool,
        "JobName": value,
        "CloudWatchLogsRoleArn": "arn:aws:iam::111111111111:role/CognitoImport",
    }
    message = _invalid(call(server, "CreateUserImportJob", params))
    assert "at 'jobName' failed to satisfy constraint" in message
    assert cognito.list_user_import_jobs(UserPoolId=pool, MaxResults=10)["UserImportJobs"] == []


@pytest.mark.parametrize("token", ["\ud800", "abc\x00", "\ufffe"])
def test_pagination_tokens_outside_the_rule(server: LiveServer, cognito: Any, token: str) -> None:
    pool = _pool(cognito)
    message = _invalid(call(server, "ListUsers", {"UserPoolId": pool, "PaginationToken": token}))
    assert message.startswith("1 validation error detected: ")
    assert "at 'paginationToken' failed to satisfy constraint" in message


@pytest.mark.parametrize("token", ["f/\u00b2", "b/\u0661", "f/99999999999999999999999", "f/-1"])
def test_log_tokens_that_are_not_ours(
    server: LiveServer, cognito: Any, logs: Any, token: str
) -> None:
    pool = _pool(cognito)
    header = csv_header(cognito, pool)
    data = (",".join(header) + "\n" + csv_line(header, user_row("ann"))).encode()
    job = run_import(cognito, pool, data, name="j")
    with pytest.raises(ClientError) as caught:
        logs.get_log_events(
            logGroupName=f"/aws/cognito/userpools/{pool}/text",
            logStreamName=f"{job['JobId']}/j",
            nextToken=token,
        )
    error = caught.value.response["Error"]
    assert (error["Code"], error["Message"]) == (
        "InvalidParameterException",
        "The specified nextToken is invalid.",
    )


def test_csv_values_outside_the_rule(server: LiveServer, cognito: Any, logs: Any) -> None:
    pool = _pool(cognito)
    header = csv_header(cognito, pool)
    rows = [
        user_row("ann", name="a\x00b"),
        user_row("bob", address="\x1b"),
        user_row("cy", given_name="ok\tfine"),
        user_row("dee\x00"),
        user_row("eve", family_name="\uffff"),
    ]
    data = "\n".join([",".join(header), *(csv_line(header, r) for r in rows)]).encode()
    job = run_import(cognito, pool, data)
    assert (job["ImportedUsers"], job["FailedUsers"]) == (1, 4)
    assert job_log(cognito, logs, pool, job) == [
        # The reader refuses a NUL anywhere in a row before any value is judged.
        f"[FAILED] Line Number 2 - {NUL_REASON}",
        f"[FAILED] Line Number 3 - {not_text_reason('address')}",
        "[SUCCEEDED] Line Number 4 - The import succeeded.",
        f"[FAILED] Line Number 5 - {NUL_REASON}",
        f"[FAILED] Line Number 6 - {not_text_reason('family_name')}",
    ]
    found = cognito.list_users(UserPoolId=pool, Filter='given_name = "ok\tfine"')["Users"]
    assert [u["Username"] for u in found] == ["cy"]
