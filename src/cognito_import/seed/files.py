"""Reading a seed file (JSON or YAML) into plain data, with the line of every value, so
that an error can name the line it is about.

YAML is read as YAML 1.2 reads booleans: only ``true``/``false``. PyYAML follows YAML
1.1, where ``OFF``, ``on``, ``yes`` and ``no`` are booleans too, and ``MfaConfiguration:
OFF`` would silently become ``false``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

Path_ = tuple[str | int, ...]


class SeedError(Exception):
    """A seed file that cannot be used; ``str()`` is the one line to show."""

    def __init__(self, source: str, line: int | None, where: str, reason: str) -> None:
        self.source, self.line, self.where = source, line, where
        self.reason = " ".join(reason.split())  # one line, whatever the rule said
        at = f"{source}:{line}" if line is not None else source
        super().__init__(f"{at}: {where + ': ' if where else ''}{self.reason}")


class _Loader(yaml.SafeLoader):
    pass


# SafeLoader's resolvers minus its bool one, then a bool resolver for true/false alone.
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


@dataclass(frozen=True)
class Document:
    source: str
    data: Any
    lines: Mapping[Path_, int]

    def line(self, path: Path_) -> int | None:
        """The line of the value at ``path``, or of its nearest enclosing value."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), None)

    def error(self, path: Path_, reason: str) -> SeedError:
        return SeedError(self.source, self.line(path), describe(path), reason)


def describe(path: Path_) -> str:
    """``pools[0].Users[2].Username`` for ``("pools", 0, "Users", 2, "Username")``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def read_document(path: Path) -> Document:
    source = str(path)
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SeedError(source, None, "", f"cannot read the file: {exc}") from None
    is_json = path.suffix.lower() == ".json"
    try:
        data = json.loads(text) if is_json else yaml.load(text, Loader=_Loader)
    except json.JSONDecodeError as exc:
        raise SeedError(source, exc.lineno, "", f"not valid JSON: {exc.msg}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise SeedError(source, line, "", f"not valid YAML: {problem}") from None
    return Document(source, data, _lines(text))


def _lines(text: str) -> dict[Path_, int]:
    """The 1-based line of each value, by path. JSON is YAML's flow syntax, so one
    composer serves both; a file it cannot compose just gets no line numbers."""
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError:
        return {}
    lines: dict[Path_, int] = {}
    todo: list[tuple[Path_, yaml.Node | None]] = [((), root)]
    while todo:
        path, node = todo.pop()
        if node is None:
            continue
        lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    todo.append(((*path, str(key.value)), value))
        elif isinstance(node, yaml.SequenceNode):
            todo.extend(((*path, i), item) for i, item in enumerate(node.value))
    return lines


def write_document(path: Path, data: Mapping[str, Any]) -> None:
    """JSON for ``.json``, YAML otherwise; YAML with keys in the order given."""
    if path.suffix.lower() == ".json":
        path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", "utf-8")
        return
    text = yaml.safe_dump(dict(data), sort_keys=False, allow_unicode=True, width=100)
    path.write_text(text, "utf-8")
