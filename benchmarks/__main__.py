"""``python -m benchmarks``: every benchmark of issues 5 and 13, then one table.

Options: ``--rows N`` for a smaller file (a quick run), ``--skip-postgres``,
``--only import|api|emulator``, ``--duration`` seconds per API load figure, ``--profile FILE``
for one more SQLite import sampled by py-spy (raw collapsed stacks, summarised),
``--split-worker`` to import in a separate ``cognito-import worker`` process.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path
from typing import Any

from rich.console import Console

from benchmarks import api_load, emulator, floor, gen, import_speed, profile, report
from benchmarks.common import machine, pg_schema, pg_url


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--rows", type=int, default=gen.FULL_ROWS, help="rows in the CSV")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--only", choices=("import", "api", "emulator"))
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per API figure")
    parser.add_argument("--profile", type=Path, help="py-spy a further SQLite import into FILE")
    parser.add_argument(
        "--split-worker",
        action="store_true",
        help="import with serve --no-worker plus a separate `cognito-import worker` process",
    )
    args = parser.parse_args(argv)
    console = Console(width=200)
    postgres = not args.skip_postgres
    host = machine(postgres and args.only != "api")
    lines: list[report.Line] = []
    raw: dict[str, Any] = {}

    if args.only in (None, "import"):
        path = gen.generate(args.rows)
        console.print(f"CSV: {path} ({path.stat().st_size / 1e6:.1f} MB, {args.rows:,} rows)")
        console.print("SQLite: floor…")
        sqlite_floor = floor.sqlite_floor(path)
        console.print(f"  {sqlite_floor.seconds:.2f} s; our server…")
        split = args.split_worker
        sqlite_label = "SQLite, separate worker process" if split else "SQLite"
        ours = import_speed.run_import(path, args.rows, sqlite_label, None, split_worker=split)
        console.print(f"  {ours.end_to_end_seconds:.2f} s end to end, {ours.status}")
        lines += report.import_lines(ours, sqlite_floor)
        raw["sqlite"] = {
            "floor": dataclasses.asdict(sqlite_floor),
            "ours": dataclasses.asdict(ours),
        }
        if postgres:
            console.print("PostgreSQL: floor (executemany), floor (COPY)…")
            pg_floor = floor.postgres_floor(path, pg_url())
            pg_copy = floor.postgres_floor(path, pg_url(), copy=True)
            console.print(f"  {pg_floor.seconds:.2f} s, {pg_copy.seconds:.2f} s; our server…")
            with pg_schema(pg_url()) as (_, url):
                pg_label = "PostgreSQL, separate worker process" if split else "PostgreSQL"
                ours_pg = import_speed.run_import(
                    path, args.rows, pg_label, url, split_worker=split
                )
            console.print(f"  {ours_pg.end_to_end_seconds:.2f} s end to end, {ours_pg.status}")
            lines += report.import_lines(ours_pg, pg_floor, pg_copy)
            raw["postgres"] = {
                "floor": dataclasses.asdict(pg_floor),
                "copy_floor": dataclasses.asdict(pg_copy),
                "ours": dataclasses.asdict(ours_pg),
            }

    if args.only in (None, "api"):
        console.print("API: driver calibration…")
        calibration = api_load.calibrate(min(args.duration, 3.0))
        console.print(f"  using {calibration.driver}; our server…")
        results, api_peak_kb = api_load.ours(calibration.driver, args.duration)
        console.print("  moto_server…")
        results += api_load.moto(calibration.driver, args.duration)
        lines += report.api_lines(calibration, results, api_peak_kb)
        raw["api"] = [dataclasses.asdict(r) for r in results]

    if args.only in (None, "emulator"):
        console.print("Emulator: start and reset, ours and moto_server…")
        figures = emulator.run()
        lines += emulator.report_lines(figures)
        raw["emulator"] = [dataclasses.asdict(f) for f in figures]

    report.render(host, lines, console)
    report.save(host, lines, raw)

    if args.profile is not None:
        path = gen.generate(args.rows)
        console.print(f"Profiling a further SQLite import with py-spy into {args.profile}…")
        profiled = import_speed.run_import(path, args.rows, "SQLite", None, args.profile)
        console.print(
            f"  profiled run: {profiled.import_seconds:.2f} s start → {profiled.status} "
            "(slower than unprofiled: py-spy pauses the process to sample)"
        )
        console.print(profile.summary(args.profile))
    return 0 if all(line.met is not False for line in lines) else 1


if __name__ == "__main__":
    sys.exit(main())
