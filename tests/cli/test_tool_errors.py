"""Bad input to ``validate``, ``run`` and ``report``: one ``Error:`` line and exit 1, or
click's usage error and exit 2; never a traceback."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest

from tests.engine.helpers import create_pool, user_row
from tests.live import LiveServer
from tests.preflight import Ran, command, invoke, tool_env

NO_CREDENTIALS = (
    "Error: no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (the server "
    "prints them at its first start) or AWS_PROFILE\n"
)
HEADER = "cognito:username,email,email_verified,cognito:mfa_enabled"


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def good_csv(tmp: Path) -> Path:
    path = tmp / "users.csv"
    row = user_row("amy")
    path.write_text(f"{HEADER}\n" + ",".join(row[c] for c in HEADER.split(",")) + "\n")
    return path


def not_utf8(tmp: Path) -> Path:
    path = tmp / "latin1.csv"
    path.write_bytes(
        f"{HEADER}\namy,amy@example.com,true,false\n".encode() + b"b\xe9a,b@x.com,true,false\n"
    )
    return path


def one_error(ran: Ran, message: str, code: int = 1) -> None:
    assert (ran.code, ran.stderr) == (code, f"Error: {message}\n"), ran


@pytest.fixture
def pool(server: LiveServer, cognito: Any) -> str:
    return create_pool(cognito, "errors")


def commands(csv: Path, url: str, pool_id: str) -> dict[str, list[str]]:
    """Each tool's arguments for one file, server and pool."""
    target = ["--user-pool-id", pool_id, "--endpoint-url", url]
    return {
        "validate": ["validate", str(csv), *target],
        "run": ["run", str(csv), *target],
        "report": ["report", "--job-id", "import-0123456789", *target],
    }


@pytest.mark.parametrize("name", ["validate", "run", "report"])
def test_unknown_pool_no_credentials_unreachable(
    server: LiveServer, pool: str, tmp_path: Path, name: str
) -> None:
    csv = good_csv(tmp_path)
    unknown = invoke(commands(csv, server.url, "us-east-1_nosuchpool")[name])
    one_error(
        unknown,
        "DescribeUserPool: User pool us-east-1_nosuchpool does not exist. "
        "(ResourceNotFoundException)",
    )
    bare = tool_env()
    del bare["AWS_ACCESS_KEY_ID"], bare["AWS_SECRET_ACCESS_KEY"]
    ran = invoke(commands(csv, server.url, pool)[name], bare)
    assert (ran.code, ran.stderr) == (1, NO_CREDENTIALS)
    wrong = invoke(
        commands(csv, server.url, pool)[name], tool_env(AWS_SECRET_ACCESS_KEY="not-the-secret")
    )
    assert wrong.code == 1 and wrong.stderr.startswith("Error: DescribeUserPool: The request ")
    assert wrong.stderr.endswith("(InvalidSignatureException)\n")
    url = f"http://127.0.0.1:{closed_port()}"
    one_error(
        invoke(commands(csv, url, pool)[name]),
        f'cannot reach {url}: Could not connect to the endpoint URL: "{url}/"',
    )


def test_errors_from_the_installed_command_have_no_traceback(
    server: LiveServer, pool: str, tmp_path: Path
) -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    for args in (
        ["validate", str(good_csv(tmp_path)), "--user-pool-id", pool, "--endpoint-url", url],
        ["report", "--user-pool-id", pool, "--job-id", "import-0123456789", "--endpoint-url", url],
    ):
        ran = command(args)
        assert ran.code == 1 and ran.stderr.startswith("Error: cannot reach "), ran
        assert "Traceback" not in ran.stderr and ran.stderr.count("\n") == 1


def test_missing_and_unreadable_files(server: LiveServer, pool: str, tmp_path: Path) -> None:
    missing = str(tmp_path / "nope.csv")
    target = ["--user-pool-id", pool, "--endpoint-url", server.url]
    no_file = f"cannot read {missing}: No such file or directory"
    one_error(invoke(["validate", missing, *target]), no_file)
    one_error(invoke(["run", missing, *target]), no_file)
    one_error(
        invoke(["report", "--job-id", "import-0123456789", "--csv", missing, *target]), no_file
    )
    one_error(invoke(["validate", str(good_csv(tmp_path)), "--pool-description", missing]), no_file)


def test_files_that_are_not_utf8(
    server: LiveServer, cognito: Any, pool: str, tmp_path: Path
) -> None:
    bad = str(not_utf8(tmp_path))
    target = ["--user-pool-id", pool, "--endpoint-url", server.url]
    utf8 = "The CSV file is not valid UTF-8: invalid byte at line 3."
    checked = invoke(["validate", bad, *target])
    assert (checked.code, checked.stdout) == (1, f"{bad}: the job would end Failed: {utf8}\n")
    ran = invoke(["run", bad, *target])
    # After the warning that the header lacks columns, one error.
    assert ran.code == 1 and ran.stderr.count("\n") == 2, ran
    last = ran.stderr.splitlines()[-1]
    assert last.startswith(f"Error: {bad}: {utf8}; import-"), ran
    assert last.endswith(" was not started (it expires unused)")
    [job] = cognito.list_user_import_jobs(UserPoolId=pool, MaxResults=10)["UserImportJobs"]
    assert job["Status"] == "Created"
    header_bad = tmp_path / "header.csv"
    header_bad.write_bytes(b"cognito:usern\xe4me,email\n")
    one_error(
        invoke(["run", str(header_bad), *target]),
        f"{header_bad}: The CSV file is not valid UTF-8: invalid byte at line 1.",
    )
    one_error(invoke(["report", "--job-id", job["JobId"], "--csv", bad, *target]), f"{bad}: {utf8}")


def test_bad_pool_descriptions(tmp_path: Path) -> None:
    csv = str(good_csv(tmp_path))
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    ran = invoke(["validate", csv, "--pool-description", str(broken)])
    assert ran.code == 1 and ran.stderr.startswith(f"Error: {broken}: not JSON: "), ran
    other = tmp_path / "other.json"
    other.write_text('{"UserImportJob": {}}')
    one_error(
        invoke(["validate", csv, "--pool-description", str(other)]),
        f"{other}: not a pool description (no UserPool.SchemaAttributes); save the output of "
        "`aws cognito-idp describe-user-pool --user-pool-id ID`",
    )
    wrong = tmp_path / "wrong.json"
    wrong.write_text('{"UserPool": {"SchemaAttributes": [{"Name": "sub", "Mutable": true}]}}')
    one_error(
        invoke(["validate", csv, "--pool-description", str(wrong)]),
        f"{wrong}: not a usable pool description: You can not change Mutable, Required or the "
        "constraints of standard schema attribute sub",
    )


def test_no_region_against_aws(tmp_path: Path) -> None:
    env = tool_env()
    del env["AWS_DEFAULT_REGION"]
    csv = str(good_csv(tmp_path))
    one_error(
        invoke(["validate", csv, "--user-pool-id", "eu-west-1_x"], env),
        "no region: pass --region or set AWS_REGION",
    )


def test_run_refuses_a_header_getcsvheader_does_not_list(
    server: LiveServer, cognito: Any, pool: str, tmp_path: Path
) -> None:
    path = tmp_path / "extra.csv"
    path.write_text(f"{HEADER},shoe_size\namy,amy@example.com,true,false,9\n")
    one_error(
        invoke(["run", str(path), "--user-pool-id", pool, "--endpoint-url", server.url]),
        f"{path}: the header has columns GetCSVHeader does not list: shoe_size",
    )
    assert cognito.list_user_import_jobs(UserPoolId=pool, MaxResults=10)["UserImportJobs"] == []


USAGE = [
    (["validate", "{csv}"], "give one of --user-pool-id and --pool-description"),
    (
        ["validate", "{csv}", "--user-pool-id", "p", "--pool-description", "{csv}"],
        "give one of --user-pool-id and --pool-description",
    ),
    (
        ["validate", "{csv}", "--pool-description", "{csv}", "--check-existing"],
        "--check-existing needs --user-pool-id",
    ),
    (["validate", "{csv}", "--user-pool-id", "p", "--format", "xml"], "'xml' is not one of"),
    (["run", "{csv}", "--user-pool-id", "p"], "--role-arn is required against AWS"),
    (["run", "{csv}"], "Missing option '--user-pool-id'"),
    (["report", "--user-pool-id", "p"], "Missing option '--job-id'"),
    (
        ["validate", "{csv}", "--user-pool-id", "p", "--password-hashing-algorithm", "MD5"],
        "'MD5' is not one of",
    ),
]


@pytest.mark.parametrize(("args", "message"), USAGE)
def test_usage_errors_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    csv = str(good_csv(tmp_path))
    ran = invoke([a.replace("{csv}", csv) for a in args])
    assert ran.code == 2 and message in ran.stderr, ran
