"""Versioned schema migrations: numbered ``.sql`` files, each applied once, in order, in
one transaction together with its row in ``schema_migrations``. A file named
``NNNN_name.<dialect>.sql`` (``sqlite``, ``postgresql``) applies to that database only:
for what the two cannot spell alike, such as expression indexes."""

from __future__ import annotations

from importlib import resources

from cognito_import.store.db import Database, IntegrityError

_CREATE = "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied TEXT)"


_DIALECTS = ("sqlite", "postgresql")


def migration_names(dialect: str | None = None) -> list[str]:
    """Every migration, or those that apply to ``dialect``."""
    folder = resources.files("cognito_import.store") / "migrations"
    names = sorted(p.name for p in folder.iterdir() if p.name.endswith(".sql"))
    if dialect is None:
        return names
    return [n for n in names if _dialect_of(n) in ("", dialect)]


def _dialect_of(name: str) -> str:
    parts = name.split(".")
    return parts[-2] if len(parts) > 2 and parts[-2] in _DIALECTS else ""


def _statements(text: str) -> list[str]:
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


def apply_migrations(db: Database) -> list[str]:
    """Apply the pending migrations; returns their names. Safe when several processes
    start at once: the loser of the race sees the primary key conflict and moves on."""
    with db.write() as tx:
        tx.run(_CREATE)
    folder = resources.files("cognito_import.store") / "migrations"
    applied: list[str] = []
    for name in migration_names(db.dialect):
        try:
            with db.write() as tx:
                if tx.one("SELECT name FROM schema_migrations WHERE name = ?", (name,)):
                    continue
                tx.run("INSERT INTO schema_migrations (name, applied) VALUES (?, 'yes')", (name,))
                for statement in _statements((folder / name).read_text("utf-8")):
                    tx.run(statement)
        except IntegrityError:
            continue
        applied.append(name)
    return applied
