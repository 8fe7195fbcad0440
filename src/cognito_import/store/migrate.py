"""Versioned schema migrations, each applied once, in order, in one transaction together
with its row in ``schema_migrations``: numbered ``.sql`` files, and the few written in
Python (``CODE_MIGRATIONS``). A file named ``NNNN_name.<dialect>.sql`` (``sqlite``,
``postgresql``) applies to that database only: for what the two cannot spell alike,
such as expression indexes. A file is recorded under its file name, ``.sql`` included,
as it always was."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import resources
from importlib.resources.abc import Traversable

from cognito_import.store import alias_values
from cognito_import.store.db import Database, IntegrityError, Tx

_CREATE = "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied TEXT)"
_DIALECTS = ("sqlite", "postgresql")

CODE_MIGRATIONS: dict[str, Callable[[Database, Tx], None]] = {
    alias_values.NAME: alias_values.migrate,
}


class MigrationError(Exception):
    """A migration's own statements failed; nothing of it was applied."""


class _Raced(Exception):
    """Another process recorded this migration first."""


def default_folder() -> Traversable:
    return resources.files("cognito_import.store") / "migrations"


def migration_names(
    folder: Traversable, code: Mapping[str, object], dialect: str | None = None
) -> list[str]:
    """Every migration in order, or those that apply to ``dialect``."""
    files = [p.name for p in folder.iterdir() if p.name.endswith(".sql")]
    if dialect is not None:
        files = [n for n in files if _dialect_of(n) in ("", dialect)]
    return sorted([*files, *code])


def _dialect_of(name: str) -> str:
    parts = name.split(".")
    return parts[-2] if len(parts) > 2 and parts[-2] in _DIALECTS else ""


def _statements(text: str) -> list[str]:
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


def apply_migrations(db: Database, folder: Traversable | None = None) -> list[str]:
    """Apply the pending migrations (the package's, or the ``.sql`` files of ``folder``);
    returns their names. Safe when several processes start at once: the loser of the
    race to record a migration moves on. Any other failure, a unique key included, is
    a ``MigrationError``, and leaves that migration unapplied."""
    with db.write() as tx:
        tx.run(_CREATE)
    code = CODE_MIGRATIONS if folder is None else {}
    folder = folder or default_folder()
    applied: list[str] = []
    for name in migration_names(folder, code, db.dialect):
        try:
            with db.write() as tx:
                if tx.one("SELECT name FROM schema_migrations WHERE name = ?", (name,)):
                    continue
                _record(tx, name)
                _apply(db, tx, folder, name, code.get(name))
        except _Raced:
            continue
        applied.append(name)
    return applied


def _record(tx: Tx, name: str) -> None:
    try:
        tx.run("INSERT INTO schema_migrations (name, applied) VALUES (?, 'yes')", (name,))
    except IntegrityError as exc:
        raise _Raced(name) from exc


def _apply(
    db: Database,
    tx: Tx,
    folder: Traversable,
    name: str,
    code: Callable[[Database, Tx], None] | None,
) -> None:
    try:
        if code is not None:
            code(db, tx)
            return
        for statement in _statements((folder / name).read_text("utf-8")):
            tx.run(statement)
    except IntegrityError as exc:
        raise MigrationError(f"migration {name} failed: {exc}") from exc
