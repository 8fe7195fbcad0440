"""The seed file's format, checked into ``Seed``: pools as CreateUserPool requests (plus
the ``Id`` to keep), their users as AdminCreateUser requests (plus status and password).

Every member is checked against botocore's model of the request it stands for, and
pools and users against the same rules as CreateUserPool and AdminCreateUser
(``domain.pool_rules``, ``api.users.new_user``): a seed can hold nothing those two
operations would refuse. Members a request does not have are refused rather than
ignored, since in a hand-written file they are typos.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

from cognito_import.api.users import new_user
from cognito_import.domain import credentials
from cognito_import.domain.pool_rules import config_from_request
from cognito_import.domain.pools import PoolConfig
from cognito_import.domain.users import CONFIRMED, FORCE_CHANGE_PASSWORD, RESET_REQUIRED
from cognito_import.errors import ServiceError
from cognito_import.protocol.keys import DEFAULT_ACCOUNT
from cognito_import.protocol.shapes import service_model, validate_input
from cognito_import.seed.files import Document, Path_, SeedError

VERSION = 1
STATUSES = (CONFIRMED, FORCE_CHANGE_PASSWORD, RESET_REQUIRED, "UNCONFIRMED")
_POOL_EXTRA = ("Id", "Account", "CreationDate", "LastModifiedDate", "Users", "Clients")
_USER_MEMBERS = ("Username", "UserAttributes")
_USER_EXTRA = (
    "Sub",
    "Status",
    "Enabled",
    "MfaEnabled",
    "Password",
    "PasswordHash",
    "PasswordHashAlgorithm",
    "UserCreateDate",
    "UserLastModifiedDate",
)
_ACCOUNT = re.compile(r"\d{12}")
_REGION = re.compile(r"[a-z0-9-]+")


@dataclass(frozen=True)
class SeedUser:
    path: Path_
    username: str
    attributes: dict[str, str]
    sub: str | None
    status: str
    enabled: bool
    mfa_enabled: bool
    password_hash: str | None
    hash_algorithm: str | None
    created: float | None
    modified: float | None
    # A plain ``Password``: made the server's own SRP credential when the user is
    # created, since the verifier needs the pool's id and the user's USER_ID_FOR_SRP.
    password: str | None = None


@dataclass(frozen=True)
class SeedPool:
    path: Path_
    id: str
    account: str
    region: str
    name: str
    config: PoolConfig
    settings: dict[str, Any]
    created: float | None
    modified: float | None
    users: tuple[SeedUser, ...]


@dataclass(frozen=True)
class Seed:
    document: Document
    pools: tuple[SeedPool, ...]

    def error(self, path: Path_, reason: str) -> SeedError:
        return self.document.error(path, reason)


def parse_seed(doc: Document) -> Seed:
    data = doc.data
    if not isinstance(data, dict):
        raise doc.error((), "a seed file is a mapping with 'version' and 'pools'")
    _known(doc, (), data, ("version", "pools"))
    if data.get("version", VERSION) != VERSION:
        raise doc.error(("version",), f"only version {VERSION} is understood")
    pools = _list(doc, ("pools",), data.get("pools", []))
    parsed = tuple(_pool(doc, ("pools", i), entry) for i, entry in enumerate(pools))
    seen: dict[str, int] = {}
    for i, pool in enumerate(parsed):
        if pool.id in seen:
            raise doc.error(("pools", i, "Id"), f"pool {pool.id} is also pools[{seen[pool.id]}]")
        seen[pool.id] = i
    return Seed(doc, parsed)


def _known(doc: Document, path: Path_, entry: dict[str, Any], allowed: tuple[str, ...]) -> None:
    for key in entry:
        if key not in allowed:
            raise doc.error(
                (*path, key), f"unknown member {key!r}; expected one of: " + ", ".join(allowed)
            )


def _list(doc: Document, path: Path_, value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise doc.error(path, "must be a list")
    return value


def _mapping(doc: Document, path: Path_, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise doc.error(path, "must be a mapping")
    return value


def _check_request(doc: Document, path: Path_, operation: str, members: dict[str, Any]) -> Any:
    """The members as the operation's handler would see them, or its error at ``path``."""
    model = service_model("cognito-idp").operation_model(operation)
    _no_unknown(doc, path, model.input_shape, members)
    try:
        return validate_input(model, members)
    except ServiceError as exc:
        raise doc.error(path, f"{exc.code}: {exc.message}") from None


def _no_unknown(doc: Document, path: Path_, shape: Any, value: Any) -> None:
    """Refuse members the model does not have, at any depth (the API drops them)."""
    if shape.type_name == "structure" and isinstance(value, dict):
        for key, item in value.items():
            if key not in shape.members:
                allowed = ", ".join(shape.members)
                raise doc.error((*path, key), f"unknown member {key!r}; expected one of: {allowed}")
            _no_unknown(doc, (*path, key), shape.members[key], item)
    elif shape.type_name == "list" and isinstance(value, list):
        for i, item in enumerate(value):
            _no_unknown(doc, (*path, i), shape.member, item)
    elif shape.type_name == "map" and isinstance(value, dict):
        for key, item in value.items():
            _no_unknown(doc, (*path, key), shape.value, item)


def _pool(doc: Document, path: Path_, value: Any) -> SeedPool:
    entry = _mapping(doc, path, value)
    operation = service_model("cognito-idp").operation_model("CreateUserPool")
    _known(doc, path, entry, (*operation.input_shape.members, *_POOL_EXTRA))
    if "Id" not in entry:
        raise doc.error(path, "a pool needs an 'Id' such as us-east-1_example01")
    pool_id = _check_request(doc, (*path, "Id"), "DescribeUserPool", {"UserPoolId": entry["Id"]})[
        "UserPoolId"
    ]
    region = pool_id.rpartition("_")[0]
    if not _REGION.fullmatch(region):
        raise doc.error((*path, "Id"), f"{pool_id!r} must start with a region, as us-east-1_")
    account = entry.get("Account", DEFAULT_ACCOUNT)
    if not isinstance(account, str) or not _ACCOUNT.fullmatch(account):
        raise doc.error((*path, "Account"), "must be 12 digits, as a string")
    if entry.get("Clients"):
        raise doc.error(
            (*path, "Clients"),
            "app clients are not stored by this version (they arrive with sign-in); "
            "leave Clients out or empty",
        )
    request = {k: v for k, v in entry.items() if k not in _POOL_EXTRA}
    params = _check_request(doc, path, "CreateUserPool", request)
    try:
        config, settings = config_from_request(params)
    except ServiceError as exc:
        raise doc.error(path, f"{exc.code}: {exc.message}") from None
    users = _list(doc, (*path, "Users"), entry.get("Users", []))
    return SeedPool(
        path=path,
        id=pool_id,
        account=account,
        region=region,
        name=params["PoolName"],
        config=config,
        settings=settings,
        created=_epoch(doc, (*path, "CreationDate"), entry.get("CreationDate")),
        modified=_epoch(doc, (*path, "LastModifiedDate"), entry.get("LastModifiedDate")),
        users=tuple(
            _user(doc, (*path, "Users", i), pool_id, config, u) for i, u in enumerate(users)
        ),
    )


def _epoch(doc: Document, path: Path_, value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise doc.error(path, "must be epoch seconds (a number), as DescribeUserPool shows it")
    return float(value)


def _attributes(doc: Document, path: Path_, value: Any) -> list[dict[str, Any]]:
    """UserAttributes as AdminCreateUser takes them; a mapping is accepted too."""
    if isinstance(value, dict):
        return [{"Name": k, "Value": v} for k, v in value.items()]
    return _list(doc, path, value)


def _user(doc: Document, path: Path_, pool_id: str, config: PoolConfig, value: Any) -> SeedUser:
    entry = _mapping(doc, path, value)
    _known(doc, path, entry, (*_USER_MEMBERS, *_USER_EXTRA))
    request = {k: entry[k] for k in _USER_MEMBERS if k in entry}
    if "UserAttributes" in request:
        request["UserAttributes"] = _attributes(
            doc, (*path, "UserAttributes"), entry["UserAttributes"]
        )
    params = _check_request(doc, path, "AdminCreateUser", {"UserPoolId": pool_id, **request})
    attributes = {a["Name"]: a.get("Value", "") for a in params.get("UserAttributes", [])}
    try:
        # AdminCreateUser's checks now, so a bad user stops the start before any file
        # or database is made; they run again against the stored pool when seeding.
        new_user(config, pool_id, params["Username"], attributes, str(uuid.uuid4()), 0.0)
    except ServiceError as exc:
        raise doc.error(path, f"{exc.code}: {exc.message}") from None
    password_hash, algorithm = _password(doc, path, entry)
    plain = entry.get("Password")
    given = password_hash is not None or plain is not None
    status = entry.get("Status", CONFIRMED if given else FORCE_CHANGE_PASSWORD)
    if status not in STATUSES:
        raise doc.error((*path, "Status"), "must be one of " + ", ".join(STATUSES))
    sub = entry.get("Sub")
    if sub is not None and not _is_uuid(sub):
        raise doc.error((*path, "Sub"), "must be a UUID, as Cognito's subs are")
    flags = {}
    for key, default in (("Enabled", True), ("MfaEnabled", False)):
        flags[key] = entry.get(key, default)
        if not isinstance(flags[key], bool):
            raise doc.error((*path, key), "must be true or false")
    return SeedUser(
        path=path,
        username=params["Username"],
        attributes=attributes,
        sub=sub,
        status=status,
        enabled=flags["Enabled"],
        mfa_enabled=flags["MfaEnabled"],
        password_hash=password_hash,
        hash_algorithm=algorithm,
        created=_epoch(doc, (*path, "UserCreateDate"), entry.get("UserCreateDate")),
        modified=_epoch(doc, (*path, "UserLastModifiedDate"), entry.get("UserLastModifiedDate")),
        password=plain,
    )


def _password(doc: Document, path: Path_, entry: dict[str, Any]) -> tuple[str | None, str | None]:
    """A stored hash (checked as an import checks ``cognito:password_hash``); a plain
    ``Password`` is only checked here (``SeedUser.password``)."""
    given, algorithm = entry.get("PasswordHash"), entry.get("PasswordHashAlgorithm")
    plain = entry.get("Password")
    if plain is not None:
        if given is not None or algorithm is not None:
            raise doc.error((*path, "Password"), "give Password or PasswordHash, not both")
        if not isinstance(plain, str) or not plain:
            raise doc.error((*path, "Password"), "must be a non-empty string")
        return None, None
    if given is None and algorithm is None:
        return None, None
    if algorithm not in credentials.ALGORITHMS:
        raise doc.error(
            (*path, "PasswordHashAlgorithm"),
            "PasswordHash needs PasswordHashAlgorithm, one of " + ", ".join(credentials.ALGORITHMS),
        )
    if not isinstance(given, str):
        raise doc.error((*path, "PasswordHash"), f"a {algorithm} hash is needed")
    problem = credentials.credential_problem(algorithm, given)
    if problem is not None:
        raise doc.error((*path, "PasswordHash"), problem)
    return given, algorithm


def _is_uuid(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        return str(uuid.UUID(value)) == value.lower()
    except ValueError:
        return False
