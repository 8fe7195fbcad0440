"""Summarise py-spy's raw (collapsed) stacks: where a server's time went.

``python -m benchmarks.profile PROFILE.txt [--top N]``. Each line of the input is
``frame;frame;...;leaf COUNT`` with frames like ``name (path:line)``. Self time goes to
the leaf, cumulative time to every distinct function on the stack (once per sample).
Stacks are grouped by thread role so the import worker's share stands apart from the
request handlers'.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

_FRAME = re.compile(r"^(?P<name>.*?) \((?P<path>[^()]*?)(?::(?P<line>\d+))?\)$")

ROLES = (
    ("import worker", "Worker.run_forever"),
    ("parser processes", "_produce"),
    ("request threads", "anyio/_backends/_asyncio.py"),
    ("event loop", "uvicorn"),
)
ALL = "all threads"


def function_of(frame: str) -> str:
    """``name (path)`` without the line number, so a function's lines add up."""
    match = _FRAME.match(frame)
    if match is None:
        return frame
    return f"{match['name']} ({match['path']})"


def role_of(stack: str) -> str:
    for role, marker in ROLES:
        if marker in stack:
            return role
    return "other"


@dataclass
class Profile:
    total: int = 0
    roles: Counter[str] = field(default_factory=Counter)
    self_time: dict[str, Counter[str]] = field(default_factory=dict)
    cumulative: dict[str, Counter[str]] = field(default_factory=dict)


def read(path: Path) -> Profile:
    profile = Profile()
    for line in path.read_text("utf-8", errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [function_of(f) for f in stack.split(";")]
        role = role_of(stack)
        profile.total += count
        profile.roles[role] += count
        for key in (role, ALL):
            profile.self_time.setdefault(key, Counter())[frames[-1]] += count
            cumulative = profile.cumulative.setdefault(key, Counter())
            for function in set(frames):
                cumulative[function] += count
    return profile


def summary(path: Path, top: int = 15, role: str = "import worker") -> str:
    profile = read(path)
    if not profile.total:
        return f"{path}: no samples"
    out = [f"{path}: {profile.total:,} samples"]
    for name, count in profile.roles.most_common():
        out.append(f"  {name:<16} {count:>7,}  {100 * count / profile.total:5.1f}%")
    own = profile.total if role == ALL else profile.roles.get(role, 0)
    if own:
        for title, counter in (
            ("self", profile.self_time[role]),
            ("cumulative", profile.cumulative[role]),
        ):
            out.append(f"\nTop {top} by {title} time, {role} ({own:,} samples = 100%):")
            # Frames on every stack (thread bootstrap, the worker loop) say nothing.
            ranked = [(f, c) for f, c in counter.most_common() if c < own or title == "self"]
            for function, count in ranked[:top]:
                out.append(f"  {100 * count / own:5.1f}%  {function}")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("profile", type=Path)
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--role", default="import worker", choices=[ALL, *(r for r, _ in ROLES)])
    args = parser.parse_args()
    print(summary(args.profile, args.top, args.role))


if __name__ == "__main__":
    main()
