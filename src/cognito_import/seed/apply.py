"""Putting a seed into the store: what is missing is created, what exists is kept.

Every pool and user is checked before anything is written, so a seed that would clash
with the store (a pool id held by another account, an email another user already has)
stops the start and changes nothing. A pool's new users are then written in one
transaction, through the same store path as an import's batches.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace

from cognito_import.api.passwords import srp_user_id
from cognito_import.api.users import conflict_error, find_user, new_user
from cognito_import.domain import srp
from cognito_import.domain.credentials import own_credential
from cognito_import.domain.pools import Pool
from cognito_import.domain.users import User
from cognito_import.errors import ServiceError
from cognito_import.runtime import Runtime
from cognito_import.seed.files import describe
from cognito_import.seed.model import Seed, SeedPool, SeedUser
from cognito_import.store.db import IntegrityError
from cognito_import.store.users import Conflict


@dataclass(frozen=True)
class Applied:
    pools_created: int
    pools_kept: int
    users_created: int
    users_kept: int

    def line(self, source: str) -> str:
        return (
            f"# seed {source}: created {self.pools_created} pools and {self.users_created} "
            f"users; {self.pools_kept} pools and {self.users_kept} users were already there"
        )


@dataclass(frozen=True)
class _Plan:
    pool: Pool
    exists: bool
    users: list[User]
    kept: int


def apply_seed(rt: Runtime, seed: Seed, accounts: Collection[str] | None = None) -> Applied:
    """Create the seed's pools and users (of ``accounts`` only, when given) that the
    store lacks. ``SeedError`` if any would be refused; then nothing was written."""
    plans = [
        _plan(rt, seed, entry)
        for entry in seed.pools
        if accounts is None or entry.account in accounts
    ]
    for plan in plans:
        _write(rt, seed, plan)
    return Applied(
        pools_created=sum(not p.exists for p in plans),
        pools_kept=sum(p.exists for p in plans),
        users_created=sum(len(p.users) for p in plans),
        users_kept=sum(p.kept for p in plans),
    )


def _plan(rt: Runtime, seed: Seed, entry: SeedPool) -> _Plan:
    owner = rt.store.accounts.pool_owner(entry.id)
    if owner is not None and owner != entry.account:
        raise seed.error((*entry.path, "Id"), f"pool {entry.id} exists already, in account {owner}")
    existing = rt.store.pools.get_pool(entry.account, entry.id) if owner else None
    now = rt.clock.now()
    pool = existing or Pool(
        id=entry.id,
        name=entry.name,
        account=entry.account,
        region=entry.region,
        created=entry.created or now,
        modified=entry.modified or entry.created or now,
        config=entry.config,
        settings=entry.settings,
    )
    users: list[User] = []
    kept = 0
    claimed: dict[tuple[str, str], SeedUser] = {}
    for seeded in entry.users:
        if existing is not None and _already_there(rt, existing, seeded):
            kept += 1
            continue
        user = _build(rt, seed, pool, seeded, now)
        _check_free(rt, seed, pool, user, seeded, claimed, existing is not None)
        users.append(user)
    return _Plan(pool, existing is not None, users, kept)


def _already_there(rt: Runtime, pool: Pool, seeded: SeedUser) -> bool:
    # As sign-in resolves a name: by username, else by an alias or username attribute.
    try:
        find_user(rt, pool, seeded.username)
    except ServiceError:
        return False
    return True


def _build(rt: Runtime, seed: Seed, pool: Pool, seeded: SeedUser, now: float) -> User:
    sub = seeded.sub or rt.ids.uuid()
    try:
        user = new_user(pool.config, pool.id, seeded.username, seeded.attributes, sub, now)
    except ServiceError as exc:
        raise seed.error(seeded.path, f"{exc.code}: {exc.message}") from None
    created = seeded.created or now
    algorithm, encoded = seeded.hash_algorithm, seeded.password_hash
    if seeded.password is not None:
        salt = srp.new_salt(rt.rng.randbytes)
        algorithm, encoded = own_credential(pool.id, srp_user_id(user), seeded.password, salt)
    return replace(
        user,
        status=seeded.status,
        enabled=seeded.enabled,
        mfa_enabled=seeded.mfa_enabled,
        password_hash=encoded,
        hash_algorithm=algorithm,
        created=created,
        modified=seeded.modified or created,
    )


def _check_free(
    rt: Runtime,
    seed: Seed,
    pool: Pool,
    user: User,
    seeded: SeedUser,
    claimed: dict[tuple[str, str], SeedUser],
    pool_exists: bool,
) -> None:
    """The username and unique values must be free in the pool and in the file so far,
    with AdminCreateUser's wording for a clash with the pool."""
    wanted = [("username", user.username_key), *user.unique_values.items()]
    for attribute, value in wanted:
        earlier = claimed.get((attribute, value))
        if earlier is not None:
            raise seed.error(
                seeded.path, f"its {attribute} is also that of {_where(seed, earlier)}"
            )
    if pool_exists:
        pairs = list(user.unique_values.items())
        names, values = rt.store.pools.held(pool.id, [user.username_key], pairs)
        taken = ["username"] if names else [a for a, _ in pairs if a in values]
        if taken:
            error = conflict_error(pool.config, taken[0])
            raise seed.error(seeded.path, f"{error.code}: {error.message}")
    claimed.update({pair: seeded for pair in wanted})


def _where(seed: Seed, seeded: SeedUser) -> str:
    line = seed.document.line(seeded.path)
    return describe(seeded.path) + (f" (line {line})" if line is not None else "")


def _write(rt: Runtime, seed: Seed, plan: _Plan) -> None:
    if not plan.exists:
        try:
            rt.store.pools.insert_pool(plan.pool)
        except IntegrityError:
            # Another server on the same database seeded it first: keep theirs.
            pass
    if not plan.users:
        return
    try:
        rt.store.pools.insert_users(plan.pool.id, plan.users)
    except Conflict:
        # Checked above; only a concurrent writer can get here.
        raise seed.error(
            (), f"pool {plan.pool.id} changed while it was being seeded; start again"
        ) from None
