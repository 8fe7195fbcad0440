"""The CloudWatch Logs subset that shows a job's per-row log, read with the aws CLI and
boto3: groups, streams, GetLogEvents both ways with paging, FilterLogEvents."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from botocore.exceptions import ClientError

from cognito_import.domain.rows import bool_reason
from tests.conftest import AwsCli, make_client
from tests.engine.helpers import (
    DATABASES,
    build_csv,
    create_pool,
    csv_header,
    csv_line,
    failed,
    run_import,
    shared_server,
    skipped,
    succeeded,
    user_row,
)
from tests.live import OTHER_KEY, LiveServer

POOL_NAME = "logs-pool"
NO_AUTO_VERIFIED = (
    "The User Record does not set any of the auto verified attributes to true. "
    "(Example: email_verified to true)."
)
# Everything a row says about its user: none of it may reach the log.
SECRETS = ["zelda-secret", "yusuf-private", "Secret Person", "xavier-hidden", "wanda-quiet"]
EXPECTED = [
    succeeded(2),
    failed(3, bool_reason("email_verified")),
    skipped(4),
    succeeded(6),
    failed(7, NO_AUTO_VERIFIED),
    succeeded(8),
]


@dataclass(frozen=True)
class Imported:
    live: LiveServer
    cli: AwsCli
    pool_id: str
    group: str
    stream: str
    other_stream: str


@pytest.fixture(scope="module", params=DATABASES)
def imported(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Imported]:
    """One pool with two finished jobs; the first's log is EXPECTED. Small batches, so
    the events come from several committed batches."""
    tmp = tmp_path_factory.mktemp("logs")
    with shared_server(request.param, tmp, batch_size=2) as live:
        cognito = make_client(live)
        pool_id = create_pool(cognito, POOL_NAME)
        header = csv_header(cognito, pool_id)
        rows = [
            user_row("zelda-secret", name="Secret Person"),
            user_row("yusuf-private", email_verified="maybe"),
            user_row("zelda-secret"),
            None,  # a blank line: no event, but it keeps its line number
            user_row("xavier-hidden"),
            user_row("wanda-quiet", email_verified="false"),
            user_row("vera"),
        ]
        lines = [",".join(header), *("" if r is None else csv_line(header, r) for r in rows)]
        data = "\n".join(lines).encode()
        job = run_import(cognito, pool_id, data, name="first import")
        other = run_import(cognito, pool_id, build_csv(header, [user_row("u")]), name="second")
        home = tmp / "home"
        home.mkdir()
        yield Imported(
            live,
            AwsCli(live, home),
            pool_id,
            f"/aws/cognito/userpools/{pool_id}/{POOL_NAME}",
            f"{job['JobId']}/first import",
            f"{other['JobId']}/second",
        )


def messages(events: list[dict[str, Any]]) -> list[str]:
    return [e["message"] for e in events]


def test_cli_lists_group_and_streams(imported: Imported) -> None:
    groups = imported.cli.json("logs", "describe-log-groups")["logGroups"]
    assert [g["logGroupName"] for g in groups] == [imported.group]
    logs = make_client(imported.live, "logs")
    prefixed = logs.describe_log_groups(logGroupNamePrefix="/aws/cognito/userpools/")
    assert [g["logGroupName"] for g in prefixed["logGroups"]] == [imported.group]
    assert logs.describe_log_groups(logGroupNamePrefix="/other")["logGroups"] == []
    streams = imported.cli.json("logs", "describe-log-streams", "--log-group-name", imported.group)[
        "logStreams"
    ]
    assert sorted(s["logStreamName"] for s in streams) == sorted(
        [imported.stream, imported.other_stream]
    )
    for stream in streams:
        assert stream["firstEventTimestamp"] <= stream["lastEventTimestamp"]


def test_cli_reads_the_whole_log_from_head(imported: Imported) -> None:
    out = imported.cli.json(
        "logs",
        "get-log-events",
        "--log-group-name",
        imported.group,
        "--log-stream-name",
        imported.stream,
        "--start-from-head",
    )
    assert messages(out["events"]) == EXPECTED
    stamps = [e["timestamp"] for e in out["events"]]
    assert stamps == sorted(stamps) and all(isinstance(s, int) for s in stamps)


def test_cli_pages_forward_until_the_token_repeats(imported: Imported) -> None:
    base = [
        "logs",
        "get-log-events",
        "--log-group-name",
        imported.group,
        "--log-stream-name",
        imported.stream,
        "--limit",
        "2",
    ]
    pages: list[list[str]] = []
    out = imported.cli.json(*base, "--start-from-head")
    while True:
        pages.append(messages(out["events"]))
        token = out["nextForwardToken"]
        out = imported.cli.json(*base, "--start-from-head", "--next-token", token)
        if out["nextForwardToken"] == token:
            assert out["events"] == []
            break
    assert pages == [EXPECTED[0:2], EXPECTED[2:4], EXPECTED[4:6]]


def test_boto3_pages_backward_from_the_end(imported: Imported) -> None:
    logs = make_client(imported.live, "logs")
    request: dict[str, Any] = {
        "logGroupName": imported.group,
        "logStreamName": imported.stream,
        "limit": 4,
    }
    pages: list[list[str]] = []
    while True:
        out = logs.get_log_events(**request)
        if out["nextBackwardToken"] == request.get("nextToken"):
            assert out["events"] == []
            break
        pages.append(messages(out["events"]))
        request["nextToken"] = out["nextBackwardToken"]
    # The newest events first, each page in time order.
    assert pages == [EXPECTED[2:6], EXPECTED[0:2]]
    # The forward token of the newest page leads past the end: nothing more.
    newest = logs.get_log_events(logGroupName=imported.group, logStreamName=imported.stream)
    after = logs.get_log_events(
        logGroupName=imported.group,
        logStreamName=imported.stream,
        nextToken=newest["nextForwardToken"],
    )
    assert after["events"] == []


def test_filter_by_term_and_phrase(imported: Imported) -> None:
    group = ["--log-group-name", imported.group]
    failed_ = imported.cli.json("logs", "filter-log-events", *group, "--filter-pattern", "FAILED")
    assert messages(failed_["events"]) == [EXPECTED[1], EXPECTED[4]]
    assert {e["logStreamName"] for e in failed_["events"]} == {imported.stream}
    exists = imported.cli.json(
        "logs", "filter-log-events", *group, "--filter-pattern", '"already exists"'
    )
    assert messages(exists["events"]) == [EXPECTED[2]]
    logs = make_client(imported.live, "logs")
    either = logs.filter_log_events(
        logGroupName=imported.group,
        logStreamNames=[imported.stream],
        filterPattern="?SKIPPED ?FAILED",
    )
    assert messages(either["events"]) == [*EXPECTED[1:3], EXPECTED[4]]


@pytest.mark.parametrize("limit", [1, 2, 3, 4])
def test_filter_pages_across_streams(imported: Imported, limit: int) -> None:
    """Every stream of the group is searched, and no page boundary (inside a stream or
    exactly at the end of one) loses or repeats an event."""
    logs = make_client(imported.live, "logs")
    found: list[tuple[str, str]] = []
    request: dict[str, Any] = {
        "logGroupName": imported.group,
        "filterPattern": "SUCCEEDED",
        "limit": limit,
    }
    while True:
        out = logs.filter_log_events(**request)
        assert len(out["events"]) <= limit
        found.extend((e["logStreamName"], e["message"]) for e in out["events"])
        if "nextToken" not in out:
            break
        request["nextToken"] = out["nextToken"]
    first = [(imported.stream, EXPECTED[i]) for i in (0, 3, 5)]
    assert sorted(found) == sorted([*first, (imported.other_stream, succeeded(2))])


def test_no_user_data_in_any_event(imported: Imported) -> None:
    logs = make_client(imported.live, "logs")
    everything = logs.filter_log_events(logGroupName=imported.group)["events"]
    assert len(everything) == len(EXPECTED) + 1
    for event in everything:
        assert not [s for s in SECRETS if s.lower() in event["message"].lower()]
        assert "@" not in event["message"]


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        ({"logGroupName": "/aws/cognito/userpools/us-east-1_nope/x"}, "log group"),
        ({"logStreamName": "import-nope/first import"}, "log stream"),
    ],
)
def test_unknown_group_or_stream(
    imported: Imported, request_: dict[str, str], message: str
) -> None:
    logs = make_client(imported.live, "logs")
    params = {"logGroupName": imported.group, "logStreamName": imported.stream, **request_}
    with pytest.raises(ClientError) as caught:
        logs.get_log_events(**params)
    error = caught.value.response
    assert error["Error"]["Code"] == "ResourceNotFoundException"
    assert error["Error"]["Message"] == f"The specified {message} does not exist."
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_cli_unknown_group_fails(imported: Imported) -> None:
    done = imported.cli.run(
        "logs", "describe-log-streams", "--log-group-name", "/aws/cognito/userpools/x/y"
    )
    assert done.returncode == 255  # aws CLI v1's code for a service error
    assert "ResourceNotFoundException" in done.stderr
    assert "The specified log group does not exist." in done.stderr


def test_other_account_sees_no_log(imported: Imported) -> None:
    logs = make_client(imported.live, "logs", key_id=OTHER_KEY.key_id, secret=OTHER_KEY.secret)
    assert logs.describe_log_groups()["logGroups"] == []
    with pytest.raises(ClientError) as caught:
        logs.get_log_events(logGroupName=imported.group, logStreamName=imported.stream)
    assert caught.value.response["Error"]["Code"] == "ResourceNotFoundException"
