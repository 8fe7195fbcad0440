"""Hypothesis strategies for request bodies, generated from botocore's service models.

``request_params`` gives plausible parameters (types right, lengths and numbers around
their ``min``/``max``, enums mostly valid, known ids mostly real); ``mutated`` breaks
one member of such a request the way a careless or hostile client would; ``raw_bodies``
are bytes that are not a request at all. Nothing here knows an operation by name, so an
operation the server starts to register is fuzzed the day it is added.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping, Sequence
from typing import Any

from botocore.model import Shape
from hypothesis import strategies as st

MAX_DEPTH = 5
# Stand-ins replaced in the serialised text, for values json.dumps cannot write (or
# would recurse too deeply to write) but a raw client can send.
DEEP_LIST = "\u0001deep-list\u0001"
DEEP_OBJECT = "\u0001deep-object\u0001"
HUGE_FLOAT = "\u0001huge-float\u0001"
NAN = "\u0001nan\u0001"
_SPLICES = {
    json.dumps(DEEP_LIST): "[" * 990 + "]" * 990,
    json.dumps(DEEP_OBJECT): '{"a":' * 990 + "1" + "}" * 990,
    json.dumps(HUGE_FLOAT): "1e400",
    json.dumps(NAN): "NaN",
}

# JSON values of every kind a member can wrongly hold, the extremes first.
hostile_values: st.SearchStrategy[Any] = st.one_of(
    st.sampled_from(
        [
            DEEP_LIST,
            DEEP_OBJECT,
            HUGE_FLOAT,
            NAN,
            9223372036854775808,
            -9223372036854775809,
            2**31,
            10**40,
            1.5,
            -0.0,
            True,
            None,
            "",
            "\ud800",
            "a\udfffb",
            "a\x00b",
            "\x1b[31m",
            "f/\u00b2",
            "b/99999999999999999999999",
            "x" * 60_000,
            "\u00e9" * 3000,
            [0] * 2000,
            [[[[["x"]]]]],
            {"a": {"b": [1, 2, {"c": None}]}},
            {},
            [],
        ]
    ),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=50),
    st.lists(st.integers(), max_size=5),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)


def serialise(value: Any) -> bytes:
    """JSON text of ``value`` with the stand-ins spliced in as raw JSON."""
    text = json.dumps(value)
    for stand_in, raw in _SPLICES.items():
        text = text.replace(stand_in, raw)
    return text.encode("utf-8", "surrogatepass")


def _sized_text(low: int, high: int | None) -> st.SearchStrategy[str]:
    top = high if high is not None else low + 64
    lengths = sorted({max(0, low - 1), low, min(low + 3, top), top, top + 1})
    chars = st.characters(codec="utf-8")
    return st.one_of(
        st.text(chars, min_size=low, max_size=min(top, low + 30)),
        st.sampled_from(lengths).flatmap(lambda n: st.text(chars, min_size=n, max_size=n)),
    )


def _string(shape: Shape, known: Mapping[str, Sequence[str]], name: str) -> st.SearchStrategy[Any]:
    meta = shape.metadata
    options: list[st.SearchStrategy[Any]] = []
    if meta.get("enum"):
        options += [st.sampled_from(meta["enum"])] * 3
    if known.get(name):
        options += [st.sampled_from(list(known[name]))] * 8
    low, high = int(meta.get("min", 0)), meta.get("max")
    options.append(_sized_text(low, None if high is None else min(int(high), 5000)))
    return st.one_of(options)


def _number(shape: Shape) -> st.SearchStrategy[Any]:
    meta = shape.metadata
    low, high = meta.get("min"), meta.get("max")
    edges = [v for b in (low, high) if b is not None for v in (b - 1, b, b + 1)]
    if shape.type_name in ("float", "double"):
        return st.one_of(
            st.floats(allow_nan=False, allow_infinity=False), st.sampled_from(edges or [0])
        )
    return st.one_of(st.integers(-(2**40), 2**40), st.sampled_from(edges or [0, -1]))


def params_for(
    shape: Shape, known: Mapping[str, Sequence[str]], depth: int = 0, name: str = ""
) -> st.SearchStrategy[Any]:
    """A plausible value for ``shape``: right types, values around the constraints."""
    kind = shape.type_name
    if depth > MAX_DEPTH:
        return st.none()
    if kind == "structure":
        members = {n: params_for(m, known, depth + 1, n) for n, m in shape.members.items()}
        required = set(shape.required_members)
        return st.fixed_dictionaries(
            {n: s for n, s in members.items() if n in required},
            optional={n: s for n, s in members.items() if n not in required},
        )
    if kind == "list":
        return st.lists(params_for(shape.member, known, depth + 1, name), max_size=3)
    if kind == "map":
        return st.dictionaries(
            params_for(shape.key, known, depth + 1),
            params_for(shape.value, known, depth + 1),
            max_size=3,
        )
    if kind == "string":
        return _string(shape, known, name)
    if kind == "boolean":
        return st.booleans()
    if kind == "timestamp":
        return st.one_of(st.integers(0, 2**33), st.floats(0, 2e9))
    if kind == "blob":
        return st.sampled_from(["", "aGVsbG8=", "not base64!"])
    return _number(shape)


@functools.cache
def _paths(shape: Shape, depth: int = 0) -> tuple[tuple[str, ...], ...]:
    """Member paths into a structure (dict keys only), for mutations to aim at."""
    if shape.type_name != "structure" or depth > MAX_DEPTH:
        return ()
    found: list[tuple[str, ...]] = []
    for name, member in shape.members.items():
        found.append((name,))
        found.extend((name, *rest) for rest in _paths(member, depth + 1))
    return tuple(found)


@st.composite
def mutated(draw: st.DrawFn, shape: Shape, base: dict[str, Any]) -> dict[str, Any]:
    """``base`` with one member (known or not) replaced by a hostile value."""
    params: dict[str, Any] = json.loads(json.dumps(base))  # a deep copy
    paths = list(_paths(shape)) or [("Unknown",)]
    path = draw(st.one_of(st.sampled_from(paths), st.just(("UnknownExtraMember",))))
    target = params
    for key in path[:-1]:
        child = target.get(key)
        if not isinstance(child, dict):
            child = target[key] = {}
        target = child
    target[path[-1]] = draw(hostile_values)
    return params


raw_bodies: st.SearchStrategy[bytes] = st.one_of(
    st.sampled_from(
        [
            b"",
            b"   ",
            b"null",
            b"[]",
            b'"x"',
            b"{",
            b'{"a":NaN}',
            b'{"UserPoolId": 1e400}',
            b"\xff\xfe{\x00}\x00",
            b'{"UserPoolId": "\xc3\x28"}',
            b"[" * 100_000,
            b'{"a":' * 5000,
            b'{"UserPoolId": "' + b"\\ud800" + b'"}',
        ]
    ),
    st.binary(max_size=300),
    st.text(max_size=100).map(lambda t: t.encode("utf-8", "surrogatepass")),
)
