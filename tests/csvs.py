"""The one CSV writer of the tests: Cognito's dialect (no quoting, ``\\,`` for a comma in
a value), kept apart from the product so that a shared bug cannot hide itself."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence


def format_row(values: list[str]) -> str:
    """Write values as one line of the dialect (without a newline).

    Not invertible by ``split_row`` for: values with surrounding whitespace (trimmed on
    read) and an empty list (reads back as ``[""]``). A value ending in a backslash is
    followed by one space before the next separator, since ``\\,`` would read as an
    escaped comma; the reader trims that space, so such values do round-trip. Values
    containing a newline cannot be written and raise ValueError.
    """
    out: list[str] = []
    last = len(values) - 1
    for i, value in enumerate(values):
        if "\n" in value:
            raise ValueError("A CSV value cannot contain a newline.")
        escaped = value.replace(",", "\\,")
        if i < last and escaped.endswith("\\"):
            escaped += " "
        out.append(escaped)
    return ",".join(out)


def csv_line(header: Sequence[str], row: Mapping[str, str]) -> str:
    """One line: values by column name, empty where not given."""
    unknown = sorted(set(row) - set(header))
    if unknown:
        raise ValueError(f"not in the header: {unknown}")
    return format_row([row.get(column, "") for column in header])


def build_csv(
    header: Sequence[str], rows: Iterable[Mapping[str, str]], newline: str = "\n"
) -> bytes:
    """The header line, then one line per row."""
    lines = [",".join(header), *(csv_line(header, row) for row in rows)]
    return (newline.join(lines) + newline).encode("utf-8")
