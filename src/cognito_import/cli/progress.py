"""How ``run`` shows a job as it goes: a rich progress bar on a terminal, plain lines
elsewhere (a CI log, a pipe, ``--no-progress``)."""

from __future__ import annotations

import time
from typing import Any

import click

# Plain lines: one per status change, and at most one a second while counts move.
PLAIN_EVERY = 1.0


def _done(job: dict[str, Any]) -> int:
    return int(job["ImportedUsers"] + job["SkippedUsers"] + job["FailedUsers"])


class PlainDisplay:
    def __init__(self, total: int) -> None:
        self.total = total
        self.started = time.monotonic()
        self.last: tuple[str, int] = ("", -1)
        self.printed = 0.0

    def __enter__(self) -> PlainDisplay:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def __call__(self, job: dict[str, Any]) -> None:
        now, done = time.monotonic(), _done(job)
        status = job["Status"]
        changed = status != self.last[0]
        if not changed and (done == self.last[1] or now - self.printed < PLAIN_EVERY):
            return
        self.last, self.printed = (status, done), now
        elapsed = now - self.started
        click.echo(
            f"{status}: {done:,} of {self.total:,} rows · imported {job['ImportedUsers']:,}"
            f" · skipped {job['SkippedUsers']:,} · failed {job['FailedUsers']:,}"
            f" · {done / elapsed if elapsed else 0:,.0f} rows/s · {elapsed:.1f} s"
        )

    def note(self, text: str) -> None:
        click.echo(text, err=True)


class BarDisplay:
    def __init__(self, total: int) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self.console = Console()
        self.progress = Progress(
            TextColumn("{task.fields[status]:<10}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn(
                "imported {task.fields[imported]:,} · skipped {task.fields[skipped]:,}"
                " · failed {task.fields[failed]:,} · {task.fields[rate]:,.0f} rows/s"
            ),
            TimeElapsedColumn(),
            console=self.console,
            refresh_per_second=10,
        )
        self.started = time.monotonic()
        self.task = self.progress.add_task(
            "import", total=total, status="Pending", imported=0, skipped=0, failed=0, rate=0.0
        )

    def __enter__(self) -> BarDisplay:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def __call__(self, job: dict[str, Any]) -> None:
        done = _done(job)
        elapsed = time.monotonic() - self.started
        self.progress.update(
            self.task,
            completed=done,
            status=job["Status"],
            imported=job["ImportedUsers"],
            skipped=job["SkippedUsers"],
            failed=job["FailedUsers"],
            rate=done / elapsed if elapsed else 0.0,
        )

    def note(self, text: str) -> None:
        self.progress.console.print(text, markup=False, highlight=False)


def display(total: int, bar: bool) -> PlainDisplay | BarDisplay:
    """A bar when asked for and stdout is a terminal; plain lines otherwise."""
    if bar:
        from rich.console import Console

        if Console().is_terminal:
            return BarDisplay(total)
    return PlainDisplay(total)
