"""Issue 12: no request a client can send gets a 5xx, an unreadable answer, or changes
anything when refused.

Requests are generated from botocore's model of every operation the running server
registers (read from the app, so a new operation is fuzzed the day it is added): plausible
ones (mostly real ids), the same with one member replaced by a hostile value (deep
nesting, huge numbers, lone surrogates, NUL, 60,000 characters, wrong types, unknown
members), raw bodies, odd content types and unknown targets. Each answer must be below
500, carry small headers, and if it is an error, be AWS's envelope, after which the
database holds exactly what it held before.

The example count follows the Hypothesis profile: 1,500 per database by default (a few
seconds), ``--hypothesis-profile long`` for 100,000 (tests/conftest.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cognito_import.protocol.awsjson import JsonEndpoint
from cognito_import.protocol.shapes import service_model
from tests.conftest import make_client
from tests.engine.helpers import DATABASES, shared_server
from tests.fuzz.model_strategies import mutated, params_for, raw_bodies, serialise
from tests.live import TEST_KEY, LiveServer

EXAMPLES = max(settings().max_examples, 1500)
MAX_HEADER_BYTES = 8192
CONTENT_TYPES = [
    "application/x-amz-json-1.1",
    "application/x-amz-json-1.1",
    "application/json",
    "text/plain; charset=latin-1",
    "",
    "multipart/form-data; boundary=x",
]


def registered_operations(live: LiveServer) -> list[tuple[str, str, Any]]:
    """(target prefix, signing name, operation model) for every registered handler."""
    app: Any = live.server.config.app
    endpoint = next(
        route.endpoint.__self__ for route in app.routes if getattr(route, "path", "") == "/"
    )
    assert isinstance(endpoint, JsonEndpoint)
    found = []
    for prefix, service in endpoint.services.items():
        model = service_model(service.model_name)
        for operation in sorted(service.handlers):
            found.append((prefix, service.signing_name, model.operation_model(operation)))
    return found


def fingerprint(live: LiveServer) -> str:
    """A digest of every row of every table: equal before and after means unchanged."""
    db = live.rt.store.db
    digest = hashlib.sha256()
    with db.read() as tx:
        if db.dialect == "sqlite":
            tables = [r[0] for r in tx.all("SELECT name FROM sqlite_master WHERE type = 'table'")]
        else:
            tables = [
                r[0]
                for r in tx.all(
                    "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
                )
            ]
        for table in sorted(tables):
            rows = tx.all(f"SELECT * FROM {table}")
            digest.update(table.encode())
            for row in sorted(repr(r) for r in rows):
                digest.update(row.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


class Fuzzer:
    def __init__(self, live: LiveServer) -> None:
        self.live = live
        self.client = httpx.Client(timeout=30)
        self.operations = registered_operations(live)
        self.known = self._seed()
        self.state = fingerprint(live)
        self.sent = 0

    def _seed(self) -> dict[str, list[str]]:
        cognito = make_client(self.live)
        pool = cognito.create_user_pool(PoolName="fuzz", AutoVerifiedAttributes=["email"])
        pool_id = pool["UserPool"]["Id"]
        cognito.admin_create_user(
            UserPoolId=pool_id,
            Username="fuzzer",
            UserAttributes=[{"Name": "email", "Value": "fuzz@example.com"}],
        )
        job = cognito.create_user_import_job(
            UserPoolId=pool_id,
            JobName="fuzzjob",
            CloudWatchLogsRoleArn="arn:aws:iam::111111111111:role/CognitoImport",
        )["UserImportJob"]
        group = f"/aws/cognito/userpools/{pool_id}/fuzz"
        return {
            "UserPoolId": [pool_id],
            "JobId": [job["JobId"]],
            "Username": ["fuzzer", "fuzz@example.com"],
            "logGroupName": [group],
            "logGroupNamePrefix": ["/aws/cognito/userpools/", group],
            "logStreamName": [f"{job['JobId']}/fuzzjob"],
            "logStreamNamePrefix": [job["JobId"]],
        }

    def send(
        self, prefix: str, signing: str, operation: str, body: bytes, content_type: str
    ) -> None:
        headers = {"X-Amz-Target": f"{prefix}.{operation}"}
        if content_type:
            headers["Content-Type"] = content_type
        request = AWSRequest(method="POST", url=self.live.url + "/", data=body, headers=headers)
        SigV4Auth(Credentials(TEST_KEY.key_id, TEST_KEY.secret), signing, "us-east-1").add_auth(
            request
        )
        prepared = request.prepare()
        response = self.client.post(
            self.live.url + "/", content=body, headers=dict(prepared.headers.items())
        )
        self.sent += 1
        self.check(response, f"{operation} {body[:300]!r}")
        if response.status_code == 200 and operation.startswith("Delete"):
            # Keep real ids to aim at: the seeded pool may just have been deleted.
            self.known = self._seed()
            self.state = fingerprint(self.live)

    def check(self, response: httpx.Response, what: str) -> None:
        assert response.status_code < 500, (response.status_code, response.text[:500], what)
        for name, value in response.headers.items():
            assert len(name) + len(value) <= MAX_HEADER_BYTES, (name, what)
        assert response.headers.get("x-amzn-RequestId"), what
        if response.status_code < 400:
            self.state = fingerprint(self.live)
            return
        body = response.json()
        assert isinstance(body, dict) and isinstance(body.get("__type"), str), what
        assert isinstance(body.get("message"), str), what
        assert response.headers["x-amzn-ErrorType"] == body["__type"] + ":", what
        assert fingerprint(self.live) == self.state, ("a refused request changed the store", what)


@pytest.fixture(scope="module", params=DATABASES)
def fuzzer(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Fuzzer]:
    with shared_server(request.param, tmp_path_factory.mktemp("fuzz")) as live:
        yield Fuzzer(live)


@st.composite
def cases(draw: st.DrawFn, fuzzer: Fuzzer) -> tuple[str, str, str, bytes, str]:
    prefix, signing, model = draw(st.sampled_from(fuzzer.operations))
    kind = draw(st.sampled_from(["valid", "mutated", "mutated", "raw"]))
    shape = model.input_shape
    operation = model.name
    if kind == "raw":
        body = draw(raw_bodies)
    else:
        params = draw(params_for(shape, fuzzer.known)) if shape is not None else {}
        if kind == "mutated" and shape is not None:
            params = draw(mutated(shape, params))
        body = serialise(params)
    # Now and then a target the server does not have.
    operation = draw(st.sampled_from([operation] * 30 + ["", "NoSuchOperation", operation + "X"]))
    return prefix, signing, operation, body, draw(st.sampled_from(CONTENT_TYPES))


def test_no_request_gets_a_server_error(fuzzer: Fuzzer) -> None:
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases(fuzzer))
    def run(case: tuple[str, str, str, bytes, str]) -> None:
        fuzzer.send(*case)

    run()
    assert fuzzer.sent >= EXAMPLES
