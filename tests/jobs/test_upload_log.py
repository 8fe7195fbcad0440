"""The server logs one line for every refused upload, saying why, without the signature."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from tests.conftest import make_client
from tests.jobs import SSE, create_job, create_pool, header, put_csv
from tests.jobs.csvs import users_csv
from tests.live import LiveServer

SEEN: list[str] = []


def refusals(caplog: pytest.LogCaptureFixture) -> list[str]:
    lines = [r.getMessage() for r in caplog.records if r.name == "cognito_import.upload"]
    SEEN.extend(lines)
    caplog.clear()
    return lines


def test_every_refused_upload_is_one_log_line_with_its_reason(
    database: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("WARNING", logger="cognito_import.upload")
    with LiveServer(database, tmp_path / "data", max_upload_bytes=2000) as server:
        cognito: Any = make_client(server)
        pool = create_pool(cognito)
        job = create_job(cognito, pool)
        url = job["PreSignedUrl"]
        body = users_csv(header(cognito, pool), 1)
        path = urlsplit(url).path
        signature = dict(parse_qsl(urlsplit(url).query))["X-Amz-Signature"]
        cases = [
            (url, {}, "x-amz-server-side-encryption header missing (403 SignatureDoesNotMatch)"),
            (
                url,
                {"x-amz-server-side-encryption": "AES256"},
                "x-amz-server-side-encryption is not aws:kms (403 SignatureDoesNotMatch)",
            ),
            (url + "&x-id=1", SSE, "signature does not match (403 SignatureDoesNotMatch)"),
        ]
        for target, headers, why in cases:
            assert put_csv(target, body, headers).status_code == 403
            assert refusals(caplog) == [f"refused upload {path}: {why}"]
        assert put_csv(url, b"x" * 2001).status_code == 400
        assert refusals(caplog) == [f"refused upload {path}: too large (400 EntityTooLarge)"]
        assert put_csv(url, body).status_code == 200
        assert refusals(caplog) == []
        cognito.start_user_import_job(UserPoolId=pool, JobId=job["JobId"])
        assert put_csv(url, body).status_code == 403
        [line] = refusals(caplog)
        assert line.startswith(f"refused upload {path}: the job is ")
        assert line.endswith("(403 AccessDenied)")
        server.clock.advance(900)
        assert put_csv(url, body).status_code == 403
        assert refusals(caplog) == [
            f"refused upload {path}: request has expired (403 AccessDenied)"
        ]
        server.clock.advance(-900)
        assert SEEN and not any(signature in line for line in SEEN)
