"""The pytest plugin (entry point ``pytest11``): installed with the package, nothing to
enable. One real server per test session (per xdist worker), started on first use::

    def test_import(cognito):
        idp = cognito.client("cognito-idp")
        pool = idp.create_user_pool(PoolName="p")["UserPool"]["Id"]

Fixtures:

- ``cognito``: the default account (000000000000), reset before the test: it starts
  with exactly the seed's pools and users (none without a seed).
- ``cognito_other_account``: a second account (111111111111), reset the same way;
  it sees none of the first one's pools.
- ``cognito_server``: the session's ``CognitoServer`` (url, pid, credentials).

Settings (pytest ini options): ``cognito_seed``, a seed file relative to the rootdir;
``cognito_serve_args``, more ``cognito-import serve`` arguments.

Nothing is imported or started unless a test asks for a fixture: having the package
installed costs other test suites nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from cognito_import.testing import Cognito, CognitoServer


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        "cognito_seed",
        "cognito-import seed file (JSON or YAML) for the cognito fixture's server, "
        "relative to the rootdir",
        default="",
    )
    parser.addini(
        "cognito_serve_args",
        "further `cognito-import serve` arguments for the cognito fixture's server",
        type="args",
        default=[],
    )


@pytest.fixture(scope="session")
def cognito_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[CognitoServer]:
    from cognito_import.testing import CognitoServer

    seed_setting = str(request.config.getini("cognito_seed"))
    seed = request.config.rootpath / seed_setting if seed_setting else None
    args = [str(a) for a in request.config.getini("cognito_serve_args")]
    server = CognitoServer(seed=seed, args=args, log_dir=tmp_path_factory.mktemp("cognito"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def cognito(cognito_server: CognitoServer) -> Cognito:
    account = cognito_server.account(0)
    account.reset()
    return account


@pytest.fixture
def cognito_other_account(cognito_server: CognitoServer) -> Cognito:
    account = cognito_server.account(1)
    account.reset()
    return account


__all__ = ["cognito", "cognito_other_account", "cognito_server"]
