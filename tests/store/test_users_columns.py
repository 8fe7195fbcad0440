"""The one user -> columns mapping: the import's fast positional build and the keyword
build AdminCreateUser uses agree field by field."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from cognito_import.domain.batches import CheckedRow
from cognito_import.domain.users import CONFIRMED, User
from cognito_import.domain.values import is_text
from cognito_import.store.users import (
    UserColumns,
    decode_attributes,
    encode_attributes,
    imported_columns,
    user_aliases,
    user_columns,
)


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


# Any text the text rule lets in: no C0 control but tab, line feed and carriage return,
# no surrogate, no U+FFFE / U+FFFF.
_TEXT = st.text(
    st.characters(blacklist_categories=["Cs"], blacklist_characters="\ufffe\uffff").filter(is_text)
)


@given(st.dictionaries(_TEXT, _TEXT, max_size=8))
def test_stored_attributes_are_the_json_modules_text(attributes: dict[str, str]) -> None:
    # Rows stored before orjson encoded them, and PostgreSQL's ::jsonb reads of both,
    # depend on the very same text: compact, non-ASCII as itself.
    stored = encode_attributes(attributes)
    assert stored == json.dumps(attributes, ensure_ascii=False, separators=(",", ":"))
    assert decode_attributes(stored) == attributes
