"""Golden files: whole CSVs with mixed good and bad rows, imported through the server,
compared with the expected outcome stored beside them (golden/<name>.json).

Subs are random and timestamps are the import's, so both are normalised: every sub is
checked to be a fresh, unique UUID and shown as ``<sub>``; every UserCreateDate must fall
between the job's StartDate and CompletionDate.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import make_client
from tests.engine.helpers import (
    DATABASES,
    create_pool,
    csv_header,
    job_log,
    list_users,
    run_import,
    shared_server,
)
from tests.live import LiveServer
from tests.preflight import assert_validate_equals_log, validate_live

GOLDEN = Path(__file__).parent / "golden"
NAMES = sorted(p.stem for p in GOLDEN.glob("*.json"))
# Timestamps go over the wire with millisecond precision.
MS = timedelta(milliseconds=1)


@pytest.fixture(scope="module", params=DATABASES)
def live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    with shared_server(request.param, tmp_path_factory.mktemp("golden")) as server:
        yield server


def normalise(user: dict[str, Any], subs: list[str]) -> dict[str, Any]:
    attrs = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    subs.append(attrs["sub"])
    attrs["sub"] = "<sub>"
    return {"UserStatus": user["UserStatus"], "Enabled": user["Enabled"], "UserAttributes": attrs}


def test_golden_files_are_intact() -> None:
    # Git or an editor could normalise what these files exist to exercise.
    mixed = (GOLDEN / "mixed.csv").read_bytes()
    assert mixed.startswith(b"\xef\xbb\xbf")
    assert mixed.count(b"\r\n") == 16 and b"\r\n\r\n" in mixed and b"\r\n   \r\n" in mixed
    assert not mixed.endswith(b"\n")
    assert b"\r" not in (GOLDEN / "hashed.csv").read_bytes()
    assert NAMES == ["hashed", "mixed"]


@pytest.mark.parametrize("name", NAMES)
def test_golden(live: LiveServer, name: str) -> None:
    expected = json.loads((GOLDEN / f"{name}.json").read_text("utf-8"))
    data = (GOLDEN / f"{name}.csv").read_bytes()
    cognito = make_client(live)
    logs = make_client(live, "logs")
    pool_id = create_pool(cognito, f"golden-{name}", **expected["pool"])
    header = csv_header(cognito, pool_id)
    columns = data.removeprefix(b"\xef\xbb\xbf").split(b"\n", 1)[0].decode().strip().split(",")
    if expected["job"]:
        assert sorted(columns) == sorted([*header, "cognito:password_hash"])
    else:
        assert columns == header and len(header) == 21

    algorithm = expected["job"].get("PasswordHashingAlgorithm")
    checked = validate_live(
        live, pool_id, data, *(["--password-hashing-algorithm", algorithm] if algorithm else [])
    )
    job = run_import(cognito, pool_id, data, name=f"golden-{name}", **expected["job"])

    assert (job["Status"], job["CompletionMessage"]) == (expected["status"], expected["message"])
    assert {k: job[k] for k in expected["counts"]} == expected["counts"]
    assert job_log(cognito, logs, pool_id, job) == expected["log"]
    assert_validate_equals_log(checked, expected["log"], job["Status"])

    listed = {u["Username"]: u for u in list_users(cognito, pool_id)}
    assert sorted(listed) == sorted(expected["users"])
    subs: list[str] = []
    for username, want in expected["users"].items():
        user = cognito.admin_get_user(UserPoolId=pool_id, Username=username)
        assert user["Username"] == username
        assert normalise(user, subs) == want
        # ListUsers shows the same user as AdminGetUser.
        assert listed[username]["Attributes"] == user["UserAttributes"]
        assert listed[username]["UserCreateDate"] == user["UserCreateDate"]
        assert user["UserAttributes"][0]["Name"] == "sub"
        created = user["UserCreateDate"]
        assert job["StartDate"] - MS <= created <= job["CompletionDate"] + MS
        assert user["UserLastModifiedDate"] == created
    assert len(set(subs)) == len(subs)
    assert all(str(uuid.UUID(s)) == s for s in subs)
