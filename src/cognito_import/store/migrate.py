"""Versioned schema migrations: numbered ``.sql`` files, each applied once, in order, in
one transaction together with its row in ``schema_migrations``."""

from __future__ import annotations

from importlib import resources

from cognito_import.store.db import Database, IntegrityError

_CREATE = "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied TEXT)"


def migration_names() -> list[str]:
    folder = resources.files("cognito_import.store") / "migrations"
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".sql"))


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
    for name in migration_names():
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
