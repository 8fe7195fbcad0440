from __future__ import annotations

import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cognito_import.domain import passwords as pw

DEFAULT: dict[str, Any] = {}
PREFIX = "Password does not conform to policy: "


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("Aa1!", pw.NOT_LONG_ENOUGH),
        ("abcdefg1!", pw.NEEDS_UPPERCASE),
        ("ABCDEFG1!", pw.NEEDS_LOWERCASE),
        ("Abcdefgh!", pw.NEEDS_NUMBERS),
        ("Abcdefgh1", pw.NEEDS_SYMBOLS),
        # The first broken rule is the one named.
        ("abc", pw.NOT_LONG_ENOUGH),
        ("davide12345", pw.NEEDS_UPPERCASE),
        # Non-Latin letters are not upper or lower case letters to Cognito's rules here.
        ("ÄBCDEFG1!", pw.NEEDS_LOWERCASE),
        # A space counts as a symbol only inside the password.
        (" Abcdefg1", pw.NEEDS_SYMBOLS),
        ("Abcdefg1 ", pw.NEEDS_SYMBOLS),
    ],
)
def test_default_policy_names_the_first_broken_rule(password: str, problem: str) -> None:
    assert pw.policy_problem(DEFAULT, password) == PREFIX + problem


@pytest.mark.parametrize("password", ["Abcdefg1!", "Abcd efg1", "Abcdefg1+", "Abcdefg1="])
def test_passwords_that_pass(password: str) -> None:
    assert pw.policy_problem(DEFAULT, password) is None


def test_relaxed_policy_and_prefix() -> None:
    relaxed = {
        "MinimumLength": 6,
        "RequireUppercase": False,
        "RequireLowercase": False,
        "RequireNumbers": False,
        "RequireSymbols": False,
    }
    assert pw.policy_problem(relaxed, "aaaaaa") is None
    assert (
        pw.policy_problem(relaxed, "aaaaa", pw.CREATE_USER_PREFIX)
        == "Password did not conform with password policy: Password not long enough"
    )


@settings(max_examples=200)
@given(
    seed=st.integers(),
    length=st.integers(min_value=6, max_value=99),
    flags=st.tuples(st.booleans(), st.booleans(), st.booleans(), st.booleans()),
)
def test_generated_temporary_passwords_pass_their_policy(
    seed: int, length: int, flags: tuple[bool, bool, bool, bool]
) -> None:
    policy = {
        "MinimumLength": length,
        "RequireUppercase": flags[0],
        "RequireLowercase": flags[1],
        "RequireNumbers": flags[2],
        "RequireSymbols": flags[3],
    }
    made = pw.temporary_password(policy, random.Random(seed))
    assert pw.policy_problem(policy, made) is None
    assert len(made) == max(length, pw.GENERATED_MIN_LENGTH)


def test_generation_uses_the_injected_random_source() -> None:
    assert pw.temporary_password(DEFAULT, random.Random(7)) == pw.temporary_password(
        DEFAULT, random.Random(7)
    )
