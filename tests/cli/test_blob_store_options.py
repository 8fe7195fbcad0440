"""``--blob-store`` and ``--s3-endpoint-url`` as a user gives them to ``serve``."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.served import cli, free_port
from tests.engine.helpers import (
    Process,
    build_csv,
    client,
    counts,
    create_pool,
    csv_header,
    processes,
    run_import,
    user_row,
)
from tests.s3server import S3_ENV, eventually_empty, moto_s3, s3_client

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("ftp://bucket", "must be data-dir, database or s3://BUCKET[/PREFIX]"),
        ("s3://", "must be s3://BUCKET[/PREFIX]"),
        ("database", "--blob-store database needs a PostgreSQL --database"),
    ],
)
def test_a_bad_blob_store_is_a_usage_error(tmp_path: Path, value: str, message: str) -> None:
    args = ["--port", str(free_port()), "--data-dir", str(tmp_path / "data")]
    done = cli("serve", *args, "--blob-store", value)
    assert done.returncode == 2, done.stderr
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_serve_keeps_uploads_in_s3(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in S3_ENV.items():
        monkeypatch.setenv(name, value)
    with moto_s3(tmp_path / "moto.log") as endpoint, processes() as started:
        s3_client(endpoint).create_bucket(Bucket="csv")
        flags = ("--blob-store", "s3://csv/team-a", "--s3-endpoint-url", endpoint)
        database = f"sqlite:///{tmp_path / 'db.sqlite3'}"
        server = Process("serve", database, tmp_path / "data", *flags)
        started.append(server)
        server.wait_ready()
        cognito = client(server.url)
        pool = create_pool(cognito)
        rows = [user_row(f"s3user{n}") for n in range(25)]
        job = run_import(cognito, pool, build_csv(csv_header(cognito, pool), rows))
        assert (job["Status"], counts(job)) == ("Succeeded", (25, 0, 0))
        # Deleted from the bucket with the job's end; nothing ever in the data dir.
        assert eventually_empty(s3_client(endpoint), "csv") == []
        assert not (tmp_path / "data" / "uploads").exists()
