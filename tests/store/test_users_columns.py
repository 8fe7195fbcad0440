"""The one user -> columns mapping: the import's fast positional build and the keyword
build AdminCreateUser uses agree field by field."""

from __future__ import annotations

from cognito_import.domain.batches import CheckedRow
from cognito_import.domain.users import CONFIRMED, User
from cognito_import.store.users import UserColumns, imported_columns, user_aliases, user_columns


def test_imported_and_created_users_map_to_the_same_columns() -> None:
    unique = {"email": "a@x.io", "phone_number": "+15550100", "preferred_username": "ann"}
    row = CheckedRow(
        line=2,
        username_key="ann",
        username="Ann",
        sub="sub-1",
        attributes_json='{"email":"a@x.io"}',
        mfa_enabled=True,
        password_hash="$2b$10$" + "a" * 53,
        unique_values=tuple(unique.items()),
    )
    user = User(
        pool_id="us-east-1_Cols00001",
        username="Ann",
        username_key="ann",
        sub="sub-1",
        status=CONFIRMED,
        enabled=True,
        created=5.0,
        modified=5.0,
        attributes={"email": "a@x.io"},
        mfa_enabled=True,
        password_hash=row.password_hash,
        hash_algorithm="BCRYPT",
        unique_values=unique,
    )
    (imported,), aliases = imported_columns("us-east-1_Cols00001", [row], "BCRYPT", 5.0)
    assert type(imported) is UserColumns
    assert imported._asdict() == user_columns(user)._asdict()
    assert aliases == user_aliases(user)
