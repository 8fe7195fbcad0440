"""A job whose batches can never commit must not be retried forever: it would block
every later import of its account. The worker retries it a few times, then fails it."""

from __future__ import annotations

from typing import Any

from cognito_import.imports.worker import MAX_ATTEMPTS
from tests.engine.helpers import build_csv, create_pool, csv_header, run_import, user_row
from tests.live import LiveServer


def test_a_job_that_keeps_failing_ends_failed_and_the_next_job_runs(
    server: LiveServer, cognito: Any
) -> None:
    plain = create_pool(cognito, "plain")
    # Every batch now fails with a database error (not a conflict), after its users
    # were inserted: the batch rolls back whole each time.
    with server.rt.store.db.write() as tx:
        tx.run("ALTER TABLE job_batches RENAME TO job_batches_gone")
    try:
        alias_pool = create_pool(cognito, "alias", AliasAttributes=["email"])
        rows = [user_row("a", email="a@example.com")]
        job = run_import(cognito, alias_pool, build_csv(csv_header(cognito, alias_pool), rows))
        assert job["Status"] == "Failed"
        assert job["CompletionMessage"].startswith("The import stopped on an internal error (")
        assert (job["ImportedUsers"], job["SkippedUsers"], job["FailedUsers"]) == (0, 0, 0)
        assert cognito.list_users(UserPoolId=alias_pool)["Users"] == []
        assert MAX_ATTEMPTS == 3
    finally:
        with server.rt.store.db.write() as tx:
            tx.run("ALTER TABLE job_batches_gone RENAME TO job_batches")
    # The account is not blocked: a later job of another pool runs to its end.
    header = csv_header(cognito, plain)
    done = run_import(cognito, plain, build_csv(header, [user_row("b")]))
    assert done["Status"] == "Succeeded"
