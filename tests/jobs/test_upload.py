"""The pre-signed upload URL: its shape, the S3-style PUT it accepts, and every refusal
(S3's XML error, with proof that nothing was stored)."""

from __future__ import annotations

import datetime as dt
import functools
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from cognito_import.protocol.presign import presign_upload_url
from tests.conftest import make_client
from tests.jobs import (
    SSE,
    create_job,
    create_pool,
    describe,
    header,
    list_jobs,
    no_upload_message,
    put_csv,
    raises_error,
    run_together,
    running_worker,
    s3_error,
    uploaded_job,
    uploads_after_end,
    wait_for_status,
)
from tests.jobs.csvs import users_csv
from tests.live import OTHER_KEY, TEST_KEY, LiveServer

MISMATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your key and signing method."
)
SIGNATURE_MISMATCH = (403, "SignatureDoesNotMatch", MISMATCH)
ACCESS_DENIED = (403, "AccessDenied", "Access Denied")
NO_SUCH_KEY = (404, "NoSuchKey", "The specified key does not exist.")
AMZ_DATE = "%Y%m%dT%H%M%SZ"
RACE_ROUNDS = 8


def with_query(url: str, name: str, value: str | None = None) -> str:
    """``url`` with one query value replaced (or, with ``value`` None, removed)."""
    parts = urlsplit(url)
    pairs = [(k, v if k != name else value) for k, v in parse_qsl(parts.query)]
    query = urlencode([(k, v) for k, v in pairs if v is not None], quote_via=quote, safe="")
    return parts._replace(query=query).geturl()


def tampered(url: str) -> dict[str, tuple[str, tuple[int, str, str]]]:
    """Each query value changed, with the error S3 gives for it."""
    query = dict(parse_qsl(urlsplit(url).query))
    signed = dt.datetime.strptime(query["X-Amz-Date"], AMZ_DATE)
    # One second off, staying on the same day so that only the signature can tell.
    shifted = signed + dt.timedelta(seconds=-1 if signed.second else 1)
    signature = query["X-Amz-Signature"]
    return {
        "X-Amz-Algorithm": (
            "AWS4-HMAC-SHA512",
            (
                400,
                "AuthorizationQueryParametersError",
                'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"',
            ),
        ),
        "X-Amz-Credential": (
            query["X-Amz-Credential"].replace("/us-east-1/", "/us-west-2/"),
            SIGNATURE_MISMATCH,
        ),
        "X-Amz-Date": (shifted.strftime(AMZ_DATE), SIGNATURE_MISMATCH),
        "X-Amz-Expires": ("900", SIGNATURE_MISMATCH),
        "X-Amz-SignedHeaders": ("host", SIGNATURE_MISMATCH),
        "X-Amz-Signature": (
            ("1" if signature[0] == "0" else "0") + signature[1:],
            SIGNATURE_MISMATCH,
        ),
    }


def stored_files(server: LiveServer, job_id: str) -> list[str]:
    """The job's uploads, committed or partial, in whichever blob store the server uses."""
    return server.rt.blobs.uploads(job_id)


def stored_bytes(server: LiveServer, job_id: str) -> bytes:
    job = server.rt.store.jobs.get_job(job_id)
    assert job is not None and job.upload_name is not None
    assert server.rt.blobs.uploads(job_id) == [job.upload_name]
    with server.rt.blobs.open(job.upload_name) as fp:
        return fp.read()


def assert_nothing_stored(server: LiveServer, cognito: Any, pool: str, job: Any) -> None:
    assert stored_files(server, job["JobId"]) == []
    assert describe(cognito, pool, job["JobId"]) == job
    raises_error(
        "PreconditionNotMetException",
        no_upload_message(job["JobId"]),
        cognito.start_user_import_job,
        UserPoolId=pool,
        JobId=job["JobId"],
    )
    assert describe(cognito, pool, job["JobId"]) == job


def test_presigned_url_is_an_s3_query_signed_put_url(server: LiveServer, cognito: Any) -> None:
    pool = create_pool(cognito)
    job = create_job(cognito, pool)
    url = job["PreSignedUrl"]
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == server.url
    assert parts.path == f"/uploads/111111111111/{pool}/{job['JobId']}"
    query = parse_qsl(parts.query)
    assert [name for name, _ in query] == [
        "X-Amz-Algorithm",
        "X-Amz-Credential",
        "X-Amz-Date",
        "X-Amz-Expires",
        "X-Amz-SignedHeaders",
        "X-Amz-Signature",
    ]
    values = dict(query)
    created = dt.datetime.fromtimestamp(int(job["CreationDate"].timestamp()), dt.UTC)
    assert values["X-Amz-Algorithm"] == "AWS4-HMAC-SHA256"
    assert values["X-Amz-Date"] == created.strftime(AMZ_DATE)
    assert values["X-Amz-Credential"] == (
        f"{TEST_KEY.key_id}/{created:%Y%m%d}/us-east-1/s3/aws4_request"
    )
    assert values["X-Amz-Expires"] == "899"
    assert values["X-Amz-SignedHeaders"] == "host;x-amz-server-side-encryption"
    signature = values["X-Amz-Signature"]
    assert len(signature) == 64 and set(signature) <= set("0123456789abcdef")
    assert len(url) <= 2048
    # The same URL on every read, and on Start/Stop.
    assert describe(cognito, pool, job["JobId"])["PreSignedUrl"] == url
    assert list_jobs(cognito, pool)[0]["PreSignedUrl"] == url
    assert put_csv(url, users_csv(header(cognito, pool), 1)).status_code == 200
    started = cognito.start_user_import_job(UserPoolId=pool, JobId=job["JobId"])
    assert started["UserImportJob"]["PreSignedUrl"] == url


def test_presigned_url_is_on_the_public_url(database: str, tmp_path: Path) -> None:
    public = "http://uploads.example.test:8080"
    with LiveServer(database, tmp_path / "data", public_url=public) as server:
        cognito = make_client(server)
        pool = create_pool(cognito)
        job = create_job(cognito, pool)
        url = job["PreSignedUrl"]
        assert url.startswith(f"{public}/uploads/111111111111/{pool}/{job['JobId']}?")
        # What a reverse proxy does: the client's Host reaches the server unchanged.
        local = server.url + url.removeprefix(public)
        body = users_csv(header(cognito, pool), 1)
        refused = put_csv(local, body)
        assert s3_error(refused) == SIGNATURE_MISMATCH
        assert stored_files(server, job["JobId"]) == []
        proxied = put_csv(local, body, {**SSE, "Host": "uploads.example.test:8080"})
        assert proxied.status_code == 200, proxied.text
        assert stored_bytes(server, job["JobId"]) == body


def test_put_with_the_sse_header_stores_the_file(server: LiveServer, cognito: Any) -> None:
    pool = create_pool(cognito)
    job = create_job(cognito, pool)
    body = users_csv(header(cognito, pool), 3)
    response = put_csv(job["PreSignedUrl"], body)
    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["etag"].startswith('"')
    assert stored_bytes(server, job["JobId"]) == body
    # The upload shows nowhere in the job: it is still the same Created job.
    assert describe(cognito, pool, job["JobId"]) == job
    started = cognito.start_user_import_job(UserPoolId=pool, JobId=job["JobId"])
    assert started["UserImportJob"]["Status"] == "Pending"


def test_refused_puts_store_nothing(server: LiveServer, cognito: Any) -> None:
    pool = create_pool(cognito)
    job = create_job(cognito, pool)
    other = create_job(cognito, pool, "other")
    url = job["PreSignedUrl"]
    body = users_csv(header(cognito, pool), 1)
    unknown_key = with_query(
        url,
        "X-Amz-Credential",
        dict(parse_qsl(urlsplit(url).query))["X-Amz-Credential"].replace(
            TEST_KEY.key_id, "AKIANOSUCHKEY0000000"
        ),
    )
    cases: list[tuple[str, dict[str, str], tuple[int, str, str]]] = [
        (url, {}, SIGNATURE_MISMATCH),  # no x-amz-server-side-encryption header
        (url, {"x-amz-server-side-encryption": "AES256"}, SIGNATURE_MISMATCH),
        (url + "&x-id=PutObject", SSE, SIGNATURE_MISMATCH),  # a query value added
        # This URL's signature on another job's path.
        (url.replace(job["JobId"], other["JobId"]), SSE, SIGNATURE_MISMATCH),
        (
            unknown_key,
            SSE,
            (
                403,
                "InvalidAccessKeyId",
                "The AWS Access Key Id you provided does not exist in our records.",
            ),
        ),
        (
            with_query(url, "X-Amz-Signature"),
            SSE,
            (
                400,
                "AuthorizationQueryParametersError",
                "Query-string authentication version 4 requires the X-Amz-Algorithm, "
                "X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, "
                "and X-Amz-Expires parameters.",
            ),
        ),
    ]
    for name, (value, error) in tampered(url).items():
        cases.append((with_query(url, name, value), SSE, error))
    for target, headers, error in cases:
        response = put_csv(target, body, headers)
        assert s3_error(response) == error, target
        assert response.headers["x-amz-request-id"]
    for refused in (job, other):
        assert_nothing_stored(server, cognito, pool, refused)


def test_put_to_an_unknown_object_key_is_no_such_key(server: LiveServer, cognito: Any) -> None:
    pool = create_pool(cognito)
    job = create_job(cognito, pool)
    foreign = make_client(server, key_id=OTHER_KEY.key_id, secret=OTHER_KEY.secret)
    foreign_job = create_job(foreign, create_pool(foreign))
    now = server.rt.clock.now()
    paths = [
        (f"/uploads/111111111111/{pool}/import-AAAAAAAAAA", TEST_KEY),  # no such job
        (f"/uploads/222222222222/{pool}/{job['JobId']}", TEST_KEY),  # wrong account
        (f"/uploads/111111111111/us-east-1_other0000/{job['JobId']}", TEST_KEY),  # wrong pool
        (f"/uploads/111111111111/{pool}/{job['JobId']}", OTHER_KEY),  # another account's key
        (f"/uploads/{pool}/{job['JobId']}", TEST_KEY),  # not account/pool/job
    ]
    body = users_csv(header(cognito, pool), 1)
    for path, key in paths:
        url = presign_upload_url(server.url, path, key, "us-east-1", now)
        assert s3_error(put_csv(url, body)) == NO_SUCH_KEY, path
    assert_nothing_stored(server, cognito, pool, job)
    assert stored_files(server, foreign_job["JobId"]) == []


def test_presigned_url_expires_after_899_seconds(server: LiveServer, cognito: Any) -> None:
    pool = create_pool(cognito)
    early, late = create_job(cognito, pool, "early"), create_job(cognito, pool, "late")
    body = users_csv(header(cognito, pool), 1)
    server.clock.advance(897)
    assert put_csv(early["PreSignedUrl"], body).status_code == 200
    server.clock.advance(3)
    assert s3_error(put_csv(late["PreSignedUrl"], body)) == (
        403,
        "AccessDenied",
        "Request has expired",
    )
    # Back within boto3's 15-minute signing skew, to look at the jobs.
    server.clock.advance(-900)
    assert_nothing_stored(server, cognito, pool, late)
    assert stored_bytes(server, early["JobId"]) == body


def test_put_is_refused_once_the_job_has_started(database: str, tmp_path: Path) -> None:
    with LiveServer(database, tmp_path / "data", run_worker=False) as server:
        cognito = make_client(server)
        pool = create_pool(cognito)
        columns = header(cognito, pool)
        job = create_job(cognito, pool)
        first = users_csv(columns, 1, "first")
        assert put_csv(job["PreSignedUrl"], first).status_code == 200
        pending = cognito.start_user_import_job(UserPoolId=pool, JobId=job["JobId"])
        assert pending["UserImportJob"]["Status"] == "Pending"
        response = put_csv(job["PreSignedUrl"], users_csv(columns, 2, "second"))
        assert s3_error(response) == ACCESS_DENIED
        assert stored_bytes(server, job["JobId"]) == first
        assert describe(cognito, pool, job["JobId"]) == pending["UserImportJob"]
        with running_worker(server.rt):
            done = wait_for_status(cognito, pool, job["JobId"], ["Succeeded"])
        assert done["ImportedUsers"] == 1
        users = cognito.list_users(UserPoolId=pool)["Users"]
        assert [user["Username"] for user in users] == ["first0"]
        # A finished job keeps no upload, and a late PUT cannot bring one back.
        assert uploads_after_end(server, job["JobId"]) == []
        assert s3_error(put_csv(job["PreSignedUrl"], first)) == ACCESS_DENIED
        assert stored_files(server, job["JobId"]) == []


def _chunks(size: int, chunk: int = 1 << 20) -> Iterator[bytes]:
    sent = 0
    while sent < size:
        step = min(chunk, size - sent)
        yield b"x" * step
        sent += step


def test_put_over_the_size_limit_is_entity_too_large(database: str, tmp_path: Path) -> None:
    with LiveServer(database, tmp_path / "data", max_upload_bytes=1000) as server:
        cognito = make_client(server)
        pool = create_pool(cognito)
        job = create_job(cognito, pool)
        too_large = (
            400,
            "EntityTooLarge",
            "Your proposed upload exceeds the maximum allowed size of 1000 bytes.",
        )
        declared = put_csv(job["PreSignedUrl"], b"x" * 1001)
        assert s3_error(declared) == too_large
        # Without Content-Length (chunked), the limit is found while streaming.
        streamed = put_csv(job["PreSignedUrl"], _chunks(1001, 600))
        assert s3_error(streamed) == too_large
        assert_nothing_stored(server, cognito, pool, job)
        assert put_csv(job["PreSignedUrl"], _chunks(1000, 600)).status_code == 200
        assert stored_bytes(server, job["JobId"]) == b"x" * 1000


def test_a_20_mb_upload_streams_to_disk(server: LiveServer, cognito: Any) -> None:
    pool = create_pool(cognito)
    job = create_job(cognito, pool)
    size = 20 * 1024 * 1024
    response = put_csv(job["PreSignedUrl"], _chunks(size))
    assert response.status_code == 200, response.text
    stored = server.rt.store.jobs.get_job(job["JobId"])
    assert stored is not None and stored.upload_name is not None
    assert stored.upload_size == size
    with server.rt.blobs.open(stored.upload_name) as fp:
        assert fp.seek(0, 2) == size
    assert server.rt.blobs.uploads(job["JobId"]) == [stored.upload_name]


def test_a_second_upload_replaces_the_first(server: LiveServer, cognito: Any) -> None:
    pool = create_pool(cognito)
    columns = header(cognito, pool)
    job = create_job(cognito, pool)
    assert put_csv(job["PreSignedUrl"], users_csv(columns, 3, "first")).status_code == 200
    second = users_csv(columns, 2, "second")
    assert put_csv(job["PreSignedUrl"], second).status_code == 200
    assert stored_bytes(server, job["JobId"]) == second  # the first file is gone
    cognito.start_user_import_job(UserPoolId=pool, JobId=job["JobId"])
    done = wait_for_status(cognito, pool, job["JobId"], ["Succeeded"])
    assert (done["ImportedUsers"], done["SkippedUsers"], done["FailedUsers"]) == (2, 0, 0)
    users = sorted(user["Username"] for user in cognito.list_users(UserPoolId=pool)["Users"])
    assert users == ["second0", "second1"]
    assert uploads_after_end(server, job["JobId"]) == []


def test_a_put_still_sending_when_its_job_ends_is_refused_not_a_500(
    database: str, tmp_path: Path
) -> None:
    """The job ends (and its uploads are deleted, the partial one with them) while a
    PUT is halfway through its body: the PUT is refused like any PUT that lost the race
    with Start, and nothing of it stays behind. Uploads in the data dir's folder, on
    both databases: there a partial upload is a file the test can wait for."""
    with LiveServer(database, tmp_path / "data", blob_store="data-dir") as server:
        _put_while_the_job_ends(server, make_client(server))


def _put_while_the_job_ends(server: LiveServer, cognito: Any) -> None:
    pool = create_pool(cognito)
    job = uploaded_job(cognito, pool, rows=1)
    replacement = users_csv(header(cognito, pool), 2, "late")
    ended = threading.Event()

    def body() -> Iterator[bytes]:
        yield replacement[:10]
        assert ended.wait(60)
        yield replacement[10:]

    def put_then_wait() -> Any:
        return put_csv(job["PreSignedUrl"], body())

    def start_and_finish() -> Any:
        # The PUT has passed its status check once its first bytes are stored.
        deadline = time.monotonic() + 30
        while not any(n.endswith(".part") for n in server.rt.blobs.uploads(job["JobId"])):
            assert time.monotonic() < deadline
            time.sleep(0.01)
        cognito.start_user_import_job(UserPoolId=pool, JobId=job["JobId"])
        done = wait_for_status(cognito, pool, job["JobId"], ["Succeeded"])
        ended.set()
        return done

    put_response, done = run_together(put_then_wait, start_and_finish)
    assert s3_error(put_response) == ACCESS_DENIED
    assert done["ImportedUsers"] == 1
    assert uploads_after_end(server, job["JobId"]) == []


def test_a_put_racing_start_never_swaps_a_started_jobs_csv(
    server: LiveServer, cognito: Any
) -> None:
    """Whatever the PUT answers, the import reads the file the job had when it started:
    the PUT's file if it said 200, the earlier one if it said 403."""
    pool = create_pool(cognito)
    columns = header(cognito, pool)
    for n in range(RACE_ROUNDS):
        job = uploaded_job(cognito, pool, rows=1, prefix=f"before{n}_")
        replacement = users_csv(columns, 2, f"racer{n}_")
        client = make_client(server)
        delay = (n % 8) * 0.01

        def start(job_id: str = job["JobId"], delay: float = delay, client: Any = client) -> Any:
            # Staggered so that the PUT sometimes wins, sometimes loses.
            time.sleep(delay)
            return client.start_user_import_job(UserPoolId=pool, JobId=job_id)

        put_response, started = run_together(
            functools.partial(put_csv, job["PreSignedUrl"], replacement), start
        )
        assert started["UserImportJob"]["Status"] == "Pending"
        done = wait_for_status(cognito, pool, job["JobId"], ["Succeeded"])
        if put_response.status_code == 200:
            assert done["ImportedUsers"] == 2
        else:
            assert s3_error(put_response) == ACCESS_DENIED
            assert done["ImportedUsers"] == 1
        assert uploads_after_end(server, job["JobId"]) == []
