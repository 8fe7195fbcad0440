"""Import speed on the pool shapes migrations use, each beside a floor doing the same
uniqueness work, every figure run ``REPEATS`` times (median, min-max).

Shapes: the default pool (nothing unique but the username), ``AliasAttributes=["email"]``
and ``UsernameAttributes=["email"]`` (the file's ``cognito:username`` holds the email).
The floor keeps a unique email index for the last two and none for the first. Then a
file with collisions (5% repeated usernames, 5% taken emails, 5% bad phones) against the
clean file of the same size, in an email-alias case-insensitive pool.

The floor runs in one process; our server uses the API process, the worker and its
parser processes, on however many cores the machine has: that handicap is printed.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks import floor, gen, import_speed
from benchmarks.common import pg_schema, pg_url
from benchmarks.floor import FloorResult
from benchmarks.import_speed import ImportResult
from benchmarks.report import Line, import_lines
from benchmarks.stats import REPEATS, Spread

COLLISION_ROWS = 200_000
COLLISION_TARGET = 1.5
BASE_POOL = {"AutoVerifiedAttributes": ["email"]}


@dataclass(frozen=True)
class Shape:
    name: str
    pool: dict[str, Any]
    variant: str
    unique_email: bool


SHAPES = (
    Shape("default pool", BASE_POOL, gen.CLEAN, False),
    Shape(
        'AliasAttributes=["email"]', {**BASE_POOL, "AliasAttributes": ["email"]}, gen.CLEAN, True
    ),
    Shape(
        'UsernameAttributes=["email"]',
        {**BASE_POOL, "UsernameAttributes": ["email"]},
        gen.EMAIL_USERNAME,
        True,
    ),
)
COLLISION_POOL = {
    **BASE_POOL,
    "AliasAttributes": ["email"],
    "UsernameConfiguration": {"CaseSensitive": False},
}


@dataclass
class ShapeResult:
    database: str
    shape: str
    rows: int
    ours: list[ImportResult] = field(default_factory=list)
    floors: list[FloorResult] = field(default_factory=list)

    @property
    def ours_spread(self) -> Spread:
        return Spread.of([r.end_to_end_seconds for r in self.ours])

    @property
    def floor_spread(self) -> Spread:
        return Spread.of([f.seconds for f in self.floors])


def _database(postgres: bool) -> Callable[[Callable[[str | None], Any]], Any]:
    """Run ``work(url)`` on a fresh database: SQLite (None) or a new PostgreSQL schema."""

    def run(work: Callable[[str | None], Any]) -> Any:
        if not postgres:
            return work(None)
        with pg_schema(pg_url()) as (_, url):
            return work(url)

    return run


def measure_shape(shape: Shape, rows: int, postgres: bool, repeats: int = REPEATS) -> ShapeResult:
    path = gen.generate(rows, shape.variant)
    label = "PostgreSQL" if postgres else "SQLite"
    result = ShapeResult(label, shape.name, rows)
    on_fresh = _database(postgres)
    for _ in range(repeats):
        # Alternated, so that a noisy minute weighs on both sides alike.
        if postgres:
            result.floors.append(
                floor.postgres_floor(path, pg_url(), copy=True, unique_email=shape.unique_email)
            )
        else:
            result.floors.append(floor.sqlite_floor(path, unique_email=shape.unique_email))
        result.ours.append(
            on_fresh(lambda url: import_speed.run_import(path, rows, label, url, pool=shape.pool))
        )
    return result


@dataclass
class CollisionResult:
    database: str
    rows: int
    clean: list[ImportResult] = field(default_factory=list)
    collided: list[ImportResult] = field(default_factory=list)


def measure_collisions(rows: int, postgres: bool, repeats: int = REPEATS) -> CollisionResult:
    clean_path = gen.generate(rows, gen.CLEAN)
    collided_path = gen.generate(rows, gen.COLLISIONS)
    label = "PostgreSQL" if postgres else "SQLite"
    result = CollisionResult(label, rows)
    on_fresh = _database(postgres)
    for _ in range(repeats):
        for path, into in ((clean_path, result.clean), (collided_path, result.collided)):
            into.append(on_fresh(_importer(path, rows, label, clean=path == clean_path)))
    return result


def _importer(path: Path, rows: int, label: str, clean: bool) -> Callable[[str | None], Any]:
    def run(url: str | None) -> ImportResult:
        return import_speed.run_import(
            path, rows, label, url, pool=COLLISION_POOL, expect_clean=clean
        )

    return run


def handicap() -> str:
    return f"floor: 1 process; ours: API + worker + parser processes on {os.cpu_count()} cores"


def shape_lines(result: ShapeResult) -> list[Line]:
    section = f"Import {result.rows:,} users · {result.database} · {result.shape}"
    ours, base = result.ours_spread, result.floor_spread
    ratio = ours.median / base.median
    failed = [c for r in result.ours for c in r.checks]
    floor_kind = "COPY floor" if result.database == "PostgreSQL" else "floor"
    return [
        Line(
            section,
            "end to end: create + upload + start → Succeeded",
            f"{ours.show()} · {result.rows / ours.median:,.0f} users/s",
            f"{floor_kind} {base.show()} ({handicap()})",
        ),
        Line(
            section,
            "ratio to the floor (medians)",
            f"{ratio:.2f}x",
            "1.00x",
            "≤ 1.0x",
            ratio <= 1.0,
        ),
        Line(
            section,
            "result checks, every run",
            "all passed" if not failed else "; ".join(failed[:3]),
            "",
            f"{result.rows:,} imported",
            not failed,
        ),
    ]


def collision_lines(result: CollisionResult) -> list[Line]:
    section = (
        f"Collisions · {result.rows:,} rows · {result.database} · email alias, case-insensitive"
    )
    clean = Spread.of([r.end_to_end_seconds for r in result.clean])
    collided = Spread.of([r.end_to_end_seconds for r in result.collided])
    ratio = collided.median / clean.median
    counts = {(r.imported, r.skipped, r.failed) for r in result.collided}
    return [
        Line(
            section,
            "file with 5% repeated usernames, 5% taken emails, 5% bad phones",
            collided.show(),
            f"clean file of the same size {clean.show()}",
        ),
        Line(
            section,
            "ratio to the clean file (medians)",
            f"{ratio:.2f}x",
            "1.00x",
            f"≤ {COLLISION_TARGET}x",
            ratio <= COLLISION_TARGET,
        ),
        Line(
            section,
            "imported / skipped / failed, every run",
            " · ".join(f"{i:,} / {s:,} / {f:,}" for i, s, f in sorted(counts)),
            "",
            "one answer for every run",
            len(counts) == 1,
        ),
    ]


def run_all(rows: int, postgres: bool, console: Any) -> tuple[list[Line], dict[str, Any]]:
    lines: list[Line] = []
    raw: dict[str, Any] = {}
    databases = [False, True] if postgres else [False]
    for on_pg in databases:
        for shape in SHAPES:
            console.print(f"{'PostgreSQL' if on_pg else 'SQLite'} · {shape.name} · {REPEATS} runs…")
            result = measure_shape(shape, rows, on_pg)
            console.print(f"  ours {result.ours_spread.show()}, floor {result.floor_spread.show()}")
            lines += shape_lines(result)
            if shape is SHAPES[0]:
                # Memory, Describe latency during the import, and the checks of one run.
                lines += import_lines(result.ours[0], None)
            raw[f"{result.database}/{shape.name}"] = {
                "ours": [r.end_to_end_seconds for r in result.ours],
                "floor": [f.seconds for f in result.floors],
            }
        collision_rows = min(rows, COLLISION_ROWS)
        console.print(f"  collisions, {collision_rows:,} rows…")
        collided = measure_collisions(collision_rows, on_pg)
        lines += collision_lines(collided)
        raw[f"{collided.database}/collisions"] = {
            "clean": [r.end_to_end_seconds for r in collided.clean],
            "collided": [r.end_to_end_seconds for r in collided.collided],
        }
    return lines, raw
