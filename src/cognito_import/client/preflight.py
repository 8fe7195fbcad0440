"""``validate``'s engine: a file's outcome against a pool, decided by the import's own
code (``check_file``, the parser pipeline, ``decide`` with one ``Taken`` through the
whole file, ``final_status``), with nothing written anywhere.

The pool's existing users are read beforehand (ListUsers pages) into the ``Taken`` the
first batch is decided against: what the import asks the pool batch by batch, asked
once. So a row is SKIPPED or FAILED on a taken value exactly when the import would.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cognito_import.blobs.files import FileRef
from cognito_import.domain.batches import BLANK, Outcome
from cognito_import.domain.csvfile import CHUNK_SIZE, CsvFileError, Header, ScanResult
from cognito_import.domain.jobs import final_status
from cognito_import.domain.pools import PoolConfig
from cognito_import.domain.users import unique_values
from cognito_import.imports import pipeline
from cognito_import.imports.decide import Taken, decide
from cognito_import.imports.parse import check_file
from cognito_import.settings import Settings

# The import's batch size: only speed depends on it, never an outcome.
BATCH_SIZE = Settings.batch_size


@dataclass
class Preflight:
    """What the import of a file would do: counts, every row that would not import, the
    job's end, or ``file_error`` when the file cannot be imported at all."""

    data_rows: int = 0
    imported: int = 0
    skipped: int = 0
    failed: int = 0
    outcomes: list[Outcome] = field(default_factory=list)
    status: str = ""
    message: str = ""
    file_error: str | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        """Every row imports and the job succeeds."""
        return self.file_error is None and not self.outcomes and self.status == "Succeeded"

    def top_reasons(self, count: int = 5) -> list[tuple[str, str, int, list[int]]]:
        """(outcome, reason, rows, first lines), most frequent first."""
        tally = Counter((o.outcome, o.reason) for o in self.outcomes)
        firsts: dict[tuple[str, str], list[int]] = {}
        for o in self.outcomes:
            lines = firsts.setdefault((o.outcome, o.reason), [])
            if len(lines) < 3:
                lines.append(o.line)
        return [(k[0], k[1], n, firsts[k]) for k, n in tally.most_common(count)]


def existing_users(users: Iterable[dict[str, Any]], config: PoolConfig) -> Taken:
    """A pool's ListUsers items as the ``Taken`` the import would find: usernames as the
    pool compares them, unique values as ``unique_values`` gives them."""
    taken = Taken()
    unique = config.unique_attributes
    for user in users:
        taken.usernames.add(config.username_key(user["Username"]))
        if unique:
            attributes = {a["Name"]: a["Value"] for a in user.get("Attributes", [])}
            for name, value in unique_values(unique, attributes).items():
                taken.values.setdefault(name, set()).add(value)
    return taken


def validate(
    path: Path,
    config: PoolConfig,
    algorithm: str | None,
    taken: Taken,
    threshold: float,
    header_list: list[str],
    parsers: int | None = None,
) -> Preflight:
    """The import of ``path`` into a pool of ``config`` holding ``taken``, decided."""
    result = Preflight()
    with open(path, "rb") as fp:
        try:
            scan, header = check_file(fp, config, algorithm)
        except CsvFileError as exc:
            result.file_error = exc.message
            return result
        result.warnings = warnings(fp, scan, header, header_list, algorithm)
    result.data_rows = scan.data_rows
    source = pipeline.Source(
        FileRef(path), header.columns, config, algorithm, header.end_offset, 2, BATCH_SIZE, False
    )
    # As the import chooses: parser processes only where they pay for their start.
    if parsers is None:
        parsers = Settings().parsers
    processes = parsers if scan.data_rows >= Settings.parallel_rows else 0
    parsed = pipeline.batches(source, processes)
    try:
        for batch in parsed:
            decided = decide(batch, taken).batch
            result.imported += len(decided.accepted)
            result.skipped += decided.skipped
            result.failed += decided.failed
            result.outcomes.extend(o for o in decided.outcomes if o.outcome != BLANK)
    finally:
        parsed.close()
    result.status, result.message = final_status(
        result.imported, result.skipped, result.failed, threshold
    )
    return result


def warnings(
    fp: Any, scan: ScanResult, header: Header, header_list: list[str], algorithm: str | None
) -> list[str]:
    """Where AWS's guide asks more of a file than the import does: said, not failed."""
    found: list[str] = []
    if scan.bom:
        found.append(
            "the file starts with a UTF-8 byte order mark; the import ignores it, "
            "but AWS's guide asks for UTF-8 without one"
        )
    expected = [*header_list, *(["cognito:password_hash"] if algorithm else [])]
    missing = [c for c in expected if c not in header.columns]
    if missing:
        more = f" and {len(missing) - 8} more" if len(missing) > 8 else ""
        shown = ", ".join(missing[:8]) + more
        found.append(
            f"the header lacks {len(missing)} of GetCSVHeader's columns ({shown}); the import "
            "accepts that, but AWS's guide asks for every column"
        )
    quoted = _quoted_lines(fp)
    if quoted:
        lines = ", ".join(map(str, quoted[1][:5]))
        found.append(
            f'{quoted[0]:,} rows have values with a " (first lines: {lines}); quotes are kept '
            "as part of the value, they do not quote it"
        )
    return found


def _quoted_lines(fp: Any) -> tuple[int, list[int]] | None:
    """(data lines holding a ``"``, the first few of them), or None when none does."""
    fp.seek(0)
    fp.readline()
    while chunk := fp.read(CHUNK_SIZE):
        if b'"' in chunk:
            break
    else:
        return None
    fp.seek(0)
    fp.readline()
    count, first = 0, list[int]()
    for number, raw in enumerate(fp, start=2):
        if b'"' in raw:
            count += 1
            if len(first) < 5:
                first.append(number)
    return count, first
