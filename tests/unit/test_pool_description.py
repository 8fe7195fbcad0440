"""A pool read back from its description (``config_from_description``, what ``validate``
uses) checks rows exactly as the pool itself: the same PoolConfig, for every shape;
and the log lines ``report`` parses are the ones the log writes."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cognito_import.domain.log_events import event_message, parse_event_message
from cognito_import.domain.pool_rules import config_from_description, describe_pool
from cognito_import.errors import InvalidParameterException
from tests.unit.pool_rules_helpers import custom, lengths, make_pool, schema, values

SHAPES: list[dict[str, Any]] = [
    {},
    {"AutoVerifiedAttributes": ["email", "phone_number"], "MfaConfiguration": "ON"},
    {"UsernameAttributes": ["email", "phone_number"], "AutoVerifiedAttributes": ["email"]},
    {
        "AliasAttributes": ["email", "preferred_username"],
        "UsernameConfiguration": {"CaseSensitive": False},
        "MfaConfiguration": "OPTIONAL",
        **schema(
            custom("tenant", **lengths(MinLength="2", MaxLength="9")),
            custom("level", "Number", **values(MinValue="1", MaxValue="99")),
            custom("custom:twice"),  # described as custom:custom:twice
            custom("secret", DeveloperOnlyAttribute=True),  # described as dev:custom:secret
            custom("flag", "Boolean"),
            custom("when", "DateTime"),
            {"Name": "email", "Required": True, "Mutable": False},
            {"Name": "name", "StringAttributeConstraints": {"MaxLength": "40"}},
        ),
    },
]


@pytest.mark.parametrize("params", SHAPES)
def test_a_described_pool_has_the_pools_config(params: dict[str, Any]) -> None:
    pool = make_pool(params)
    described = describe_pool(pool, 3)
    assert config_from_description(described) == pool.config
    # As saved by the aws CLI and read back: the JSON types alone.
    saved = json.loads(json.dumps({"UserPool": described}))["UserPool"]
    assert config_from_description(saved) == pool.config


def test_an_aws_description_without_username_configuration_is_case_sensitive() -> None:
    described = describe_pool(make_pool({}), 0)
    del described["UsernameConfiguration"]
    assert config_from_description(described).case_sensitive


def test_a_description_no_pool_could_have_is_refused() -> None:
    described = describe_pool(make_pool({}), 0)
    described["AliasAttributes"] = ["email"]
    described["UsernameAttributes"] = ["email"]
    with pytest.raises(InvalidParameterException):
        config_from_description(described)


@pytest.mark.parametrize(
    ("line", "outcome", "reason"),
    [
        (2, "SUCCEEDED", "The import succeeded."),
        (500001, "FAILED", "The row has 3 values but the header has 21 columns."),
        (7, "SKIPPED", "The user already exists."),
        (9, "FAILED", "Invalid value for x - y: must be true or false."),
    ],
)
def test_log_lines_parse_back(line: int, outcome: str, reason: str) -> None:
    assert parse_event_message(event_message(line, outcome, reason)) == (line, outcome, reason)


def test_other_text_is_no_log_line() -> None:
    for text in ("", "hello", "[FAILED] Line Number x - y", "[FAILED] line Number 2 - y"):
        assert parse_event_message(text) is None
