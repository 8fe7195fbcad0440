"""Repeated measurements: median and spread, printed the same way everywhere."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

REPEATS = 3


@dataclass(frozen=True)
class Spread:
    values: tuple[float, ...]

    @classmethod
    def of(cls, values: Sequence[float]) -> Spread:
        if not values:
            raise ValueError("no measurement")
        return cls(tuple(values))

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def low(self) -> float:
        return min(self.values)

    @property
    def high(self) -> float:
        return max(self.values)

    def show(self, unit: str = "s", digits: int = 2) -> str:
        """``9.12 s (8.90-9.60, n=3)``."""
        f = f"{{:.{digits}f}}"
        return (
            f"{f.format(self.median)} {unit} ({f.format(self.low)}-{f.format(self.high)},"
            f" n={len(self.values)})"
        )
