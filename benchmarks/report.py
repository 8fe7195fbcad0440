"""One table: each figure beside its baseline and its target, with the date and machine.

Printed with rich; also written as Markdown and JSON to benchmarks/data/ (latest.md,
latest.json) for the README.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from rich.console import Console
from rich.table import Table

from benchmarks.api_load import ApiResult, Calibration
from benchmarks.common import DATA_DIR, Machine
from benchmarks.floor import FloorResult
from benchmarks.import_speed import ImportResult

SQLITE_TARGET_RATE = 50_000  # 500,000 users in under 10 s
PEAK_TARGET_BYTES = 300 * 1000 * 1000
PROBE_TARGET_MS = 50.0
API_P99_TARGET_MS = 10.0
MOTO_RATIO_TARGET = 10.0


@dataclass(frozen=True)
class Line:
    section: str
    figure: str
    value: str
    baseline: str = ""
    target: str = ""
    met: bool | None = None


def _rate(rows: int, seconds: float) -> str:
    return f"{seconds:.2f} s · {rows / seconds:,.0f} users/s"


def _mb(kb: int) -> str:
    return f"{kb * 1024 / 1e6:,.0f} MB"


def import_lines(
    result: ImportResult, floor: FloorResult | None, copy_floor: FloorResult | None = None
) -> list[Line]:
    section = f"Import {result.rows:,} users · {result.database}"
    rows = result.rows
    base = _rate(floor.rows, floor.seconds) + " (floor)" if floor else ""
    lines = []
    is_sqlite = result.database.startswith("SQLite")
    lines.append(
        Line(
            section,
            "end to end: create + upload + start → Succeeded",
            _rate(rows, result.end_to_end_seconds),
            base,
            f"≥ {SQLITE_TARGET_RATE:,} users/s (500k in < 10 s)" if is_sqlite else "",
            result.end_to_end_rate >= SQLITE_TARGET_RATE if is_sqlite else None,
        )
    )
    if floor:
        ratio = result.end_to_end_seconds / floor.seconds
        lines.append(
            Line(
                section,
                "ratio to floor, end to end",
                f"{ratio:.2f}x",
                "1.00x",
                "≤ 1.0x",
                ratio <= 1.0,
            )
        )
    lines.append(Line(section, "start → Succeeded", _rate(rows, result.import_seconds), base))
    if floor:
        ratio = result.import_seconds / floor.seconds
        lines.append(Line(section, "ratio to floor, start → Succeeded", f"{ratio:.2f}x", "1.00x"))
    first, second = result.half_rates
    if first:
        lines.append(
            Line(
                section,
                "users/s over the first / second half of the rows",
                f"{first:,.0f} / {second:,.0f}",
            )
        )
    if copy_floor:
        lines.append(
            Line(
                section,
                "floor with COPY instead of executemany (for reference)",
                _rate(copy_floor.rows, copy_floor.seconds),
            )
        )
    lines.append(
        Line(section, "create job + upload (streamed PUT)", f"{result.upload_seconds:.2f} s")
    )
    peak = max(result.hwm_end_kb, result.tree_peak_kb) * 1024
    lines.append(
        Line(
            section,
            "server peak RSS: API, worker and parser processes summed (sampled every 50 ms)",
            f"{_mb(result.tree_peak_kb)} (API process alone: VmHWM {_mb(result.hwm_end_kb)},"
            f" idle {_mb(result.rss_start_kb)}, after upload {_mb(result.hwm_before_start_kb)})",
            "",
            "< 300 MB",
            peak < PEAK_TARGET_BYTES,
        )
    )
    lines.append(
        Line(
            section,
            "DescribeUserImportJob during the import, p50 / p99 (max)",
            f"{result.probe_p50_ms:.1f} / {result.probe_p99_ms:.1f} ms ({result.probe_max_ms:.0f}) "
            f"· {result.probe_count} calls, {result.probe_errors} errors",
            "",
            f"p99 < {PROBE_TARGET_MS:.0f} ms",
            result.probe_p99_ms < PROBE_TARGET_MS and not result.probe_errors,
        )
    )
    lines.append(
        Line(
            section,
            "result checks (Describe counts, pool count, ListUsers, sample users)",
            "all passed" if not result.checks else "; ".join(result.checks[:3]),
            "",
            f"{rows:,} imported",
            not result.checks,
        )
    )
    return lines


def api_lines(calibration: Calibration, results: list[ApiResult], peak_kb: int) -> list[Line]:
    section = "API load (keep-alive clients, one signature replayed)"
    lines = [Line(section, "driver ceiling: trivial server, 8 connections", calibration.summary())]
    moto = {r.connections: r for r in results if r.server == "moto"}
    for result in results:
        value = (
            f"{result.rate.show('req/s', 0)} · p50 {result.p50.median:.1f} ms"
            f" · p99 {result.p99.show('ms', 1)}"
        )
        if result.errors:
            value += f" · {result.errors} ERRORS"
        baseline, target, met = "", "", None
        other = moto.get(result.connections)
        if result.server == "ours" and other is not None:
            ratio = result.rate.median / other.rate.median if other.rate.median else 0.0
            baseline = f"moto DescribeUserPool {other.rate.median:,.0f} req/s (ratio {ratio:.1f}x)"
            # Like for like: moto's DescribeUserPool against ours.
            if result.operation == "DescribeUserPool" and result.connections == 8:
                target = f"≥ {MOTO_RATIO_TARGET:.0f}x moto; p99 < {API_P99_TARGET_MS:.0f} ms"
                met = (
                    ratio >= MOTO_RATIO_TARGET
                    and result.p99.median < API_P99_TARGET_MS
                    and not result.errors
                )
        clients = f"{result.connections} client" + ("s" if result.connections > 1 else "")
        figure = f"{result.server}: {result.operation}, {clients}"
        if result.server == "moto":
            # Werkzeug answers "Connection: close": every request pays a TCP connect.
            figure += " (moto closes each connection)"
        lines.append(Line(section, figure, value, baseline, target, met))
    lines.append(Line(section, "our server's peak RSS after the load (VmHWM)", _mb(peak_kb)))
    return lines


def _mark(met: bool | None) -> str:
    return {True: "yes", False: "NO", None: ""}[met]


def render(machine: Machine, lines: list[Line], console: Console | None = None) -> None:
    table = Table(title=f"cognito-import benchmarks — {machine.line()}", show_lines=False)
    for column in ("Figure", "Measured", "Baseline", "Target", "Met"):
        table.add_column(column, overflow="fold")
    section = None
    for line in lines:
        if line.section != section:
            if section is not None:
                table.add_section()
            table.add_row(f"[bold]{line.section}[/bold]", "", "", "", "")
            section = line.section
        style = {True: "green", False: "red", None: ""}[line.met]
        table.add_row(
            line.figure, line.value, line.baseline, line.target, _mark(line.met), style=style
        )
    (console or Console(width=200)).print(table)


def markdown(machine: Machine, lines: list[Line]) -> str:
    out = [f"Measured {machine.line()}.", ""]
    out.append("| Figure | Measured | Baseline | Target | Met |")
    out.append("|---|---|---|---|---|")
    section = None
    for line in lines:
        if line.section != section:
            out.append(f"| **{line.section}** | | | | |")
            section = line.section
        cells = (line.figure, line.value, line.baseline, line.target, _mark(line.met))
        out.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(out) + "\n"


def save(machine: Machine, lines: list[Line], raw: dict[str, Any]) -> None:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    (DATA_DIR / "latest.md").write_text(markdown(machine, lines), "utf-8")
    document = {"machine": asdict(machine), "lines": [asdict(x) for x in lines], "raw": raw}
    (DATA_DIR / "latest.json").write_text(json.dumps(document, indent=2, default=str), "utf-8")
