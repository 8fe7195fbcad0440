"""ListUsers filters as the store answers them, in SQL, on both databases: the only
implementation of a filter there is (the domain only parses it)."""

from __future__ import annotations

import pytest

from cognito_import.domain.filters import parse_filter
from cognito_import.domain.users import RESET_REQUIRED, User
from cognito_import.store import Store
from tests.store.conftest import add_pool

ALICE = User(
    pool_id="us-east-1_Store0001",
    username="Alice",
    username_key="alice",
    sub="0b1c-2d3e",
    status=RESET_REQUIRED,
    enabled=True,
    created=1.0,
    modified=1.0,
    attributes={"email": "alice@example.com", "given_name": "Alice"},
    unique_values={"email": "alice@example.com"},
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('email = "alice@example.com"', True),
        ('email = "ALICE@example.com"', False),
        ('email ^= "alice@"', True),
        ('email ^= ""', True),
        ('email = "alice"', False),
        ('given_name ^= "Al"', True),
        ('given_name ^= "al"', False),
        ('family_name ^= ""', False),
        ('phone_number = ""', False),
        # The store compares username keys: the API folds the value first.
        ('username = "alice"', True),
        ('username ^= "ali"', True),
        ('username = "Alice"', False),
        ('sub = "0b1c-2d3e"', True),
        ('sub ^= "0b1c"', True),
        ('sub = "0b1c"', False),
        ('cognito:user_status = "RESET_REQUIRED"', True),
        ('cognito:user_status = "reset_required"', True),
        ('cognito:user_status ^= "Reset"', True),
        ('cognito:user_status = "CONFIRMED"', False),
        ('status = "Enabled"', True),
        ('status = "enabled"', False),
        ('status = "Disabled"', False),
        ('status ^= "En"', True),
    ],
)
def test_filters(store: Store, text: str, expected: bool) -> None:
    pool = add_pool(store)
    store.pools.insert_user(ALICE)
    found = store.pools.list_users(pool.id, parse_filter(text), None, 10)
    assert [u.username for u in found] == (["Alice"] if expected else [])
