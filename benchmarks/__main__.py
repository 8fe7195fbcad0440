"""``python -m benchmarks``: the import on every pool shape beside its floor, a file
with collisions beside a clean one, ``validate`` and ``run`` beside the import of the
same file, the API beside moto, and the emulator's start and reset beside moto_server's,
each figure run at least three times (median, min-max), then one table.

Options: ``--rows N`` for a smaller file (a quick run), ``--skip-postgres``,
``--only import|preflight|api|emulator``, ``--duration`` seconds per API load run,
``--profile FILE`` for one more SQLite import sampled by py-spy (raw collapsed stacks,
summarised).
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path
from typing import Any

from rich.console import Console

from benchmarks import api_load, emulator, gen, import_speed, preflight, profile, report, shapes
from benchmarks.common import machine
from benchmarks.stats import REPEATS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--rows", type=int, default=gen.FULL_ROWS, help="rows in the CSV")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--only", choices=("import", "preflight", "api", "emulator"))
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per API figure")
    parser.add_argument("--profile", type=Path, help="py-spy a further SQLite import into FILE")
    args = parser.parse_args(argv)
    console = Console(width=200)
    postgres = not args.skip_postgres
    host = machine(postgres and args.only != "api")
    lines: list[report.Line] = []
    raw: dict[str, Any] = {}

    if args.only in (None, "import"):
        import_figures, raw["import"] = shapes.run_all(args.rows, postgres, console)
        lines += import_figures

    if args.only in (None, "preflight"):
        console.print(f"Pre-flight: validate and run beside the import · {REPEATS} runs…")
        checked = preflight.measure(args.rows)
        lines += preflight.lines(checked)
        raw["preflight"] = preflight.raw(checked)

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
