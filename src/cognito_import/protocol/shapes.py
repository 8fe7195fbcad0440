"""Request validation and response shaping driven by botocore's service models.

The models are used as data: required members, ``min``/``max``/``pattern``/``enum`` and the
member types all come from botocore, so a newer botocore brings newer constraints with it.

Two stages, as in AWS's own (Coral) stack:

* deserialisation: a JSON value of the wrong type stops the request at once with a
  ``SerializationException``; unknown members are dropped because newer SDKs send them;
* validation: every constraint violation is collected (member order, depth first) and
  reported in one ``InvalidParameterException`` worded like AWS's.

Lists and maps of scalars are reported as AWS does, once for the whole collection
(``Member must satisfy constraint: [...]``, ``Map keys must satisfy constraint: [...]``);
elements that are structures get their own paths (``schema.1.member.name``).
"""

from __future__ import annotations

import base64
import binascii
import functools
import math
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import botocore.model
import botocore.session
from botocore.model import Shape

from cognito_import.domain.values import TEXT_RULE, is_text
from cognito_import.errors import InvalidParameterException, SerializationException
from cognito_import.protocol.patterns import _matches

_CONTAINERS = frozenset({"structure", "list", "map"})
_SIZED = frozenset({"string", "blob", "list", "map"})
_NUMERIC = frozenset({"integer", "long", "float", "double"})
# Coral deserialises into Java ints and longs, so bigger numbers cannot be represented.
_INT_BOUNDS = {"integer": (-(2**31), 2**31 - 1), "long": (-(2**63), 2**63 - 1)}
_SCALARS = frozenset({"string", "boolean", "timestamp", "blob", *_NUMERIC})
_JSON_CONTAINERS = {"structure": dict, "list": list, "map": dict}
_NOT_NULL = "Member must not be null"
# What the AWS SDK for Java prints for sensitive members inside a larger value.
_REDACTED = "*** Sensitive Data Redacted ***"
_MAX_SHOWN = 1024  # characters of one scalar value shown in a message


def lower_camel(name: str) -> str:
    """``UserPoolId`` -> ``userPoolId``: the member path spelling in AWS validation errors."""
    return name[:1].lower() + name[1:]


@functools.cache
def service_model(name: str) -> botocore.model.ServiceModel:
    return botocore.session.get_session().get_service_model(name)


def validate_input(operation: botocore.model.OperationModel, body: object) -> dict[str, Any]:
    """Type-check ``body`` against the operation's input shape and enforce its constraints.

    Returns the request parameters with unknown members and JSON nulls removed, integral
    floats turned into ints, timestamps into aware datetimes and blobs into bytes.
    """
    if not isinstance(body, dict):
        raise _type_error(body, "structure")
    shape = operation.input_shape
    if shape is None:
        return {}
    params = _deserialize_structure(shape, body)
    errors: list[str] = []
    _validate_structure(shape, params, "", errors)
    if errors:
        noun = "validation error" if len(errors) == 1 else "validation errors"
        raise InvalidParameterException(f"{len(errors)} {noun} detected: " + "; ".join(errors))
    return params


def shape_output(operation: botocore.model.OperationModel, data: dict[str, Any]) -> dict[str, Any]:
    """Build a response body from ``data`` following the operation's output shape.

    Members the shape does not define and members whose value is None are left out.
    Constraints are deliberately not checked: AWS's own responses break them (a
    ``CompletionMessage`` has spaces although its pattern is ``[\\w]+``).
    """
    shape = operation.output_shape
    if shape is None:
        return {}
    return _output_structure(shape, data)


# --- deserialisation -------------------------------------------------------------------


def _token(value: object) -> str:
    if value is None:
        return "NULL_VALUE"
    if isinstance(value, bool):
        return "BOOLEAN_VALUE"
    if isinstance(value, int | float):
        return "NUMBER_VALUE"
    return "STRING_VALUE"


def _type_error(value: object, type_name: str) -> SerializationException:
    if isinstance(value, dict):
        return SerializationException("Start of structure or map found where not expected.")
    if isinstance(value, list):
        return SerializationException("Start of list found where not expected.")
    article = "an" if type_name[:1] in ("a", "e", "i", "o", "u") else "a"
    noun = f"{article} {type_name.capitalize()}"
    return SerializationException(f"{_token(value)} can not be converted to {noun}")


def _is_document(shape: Shape) -> bool:
    return bool(shape.metadata.get("document", False))


def _deserialize_structure(shape: Shape, value: dict[str, Any]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for name, member in shape.members.items():
        # A JSON null is the same as leaving the member out, as at AWS.
        if value.get(name) is not None:
            params[name] = _deserialize(member, value[name])
    return params


def _deserialize(shape: Shape, value: Any) -> Any:
    type_name: str = shape.type_name
    if _is_document(shape):
        return value
    if type_name in _JSON_CONTAINERS and not isinstance(value, _JSON_CONTAINERS[type_name]):
        raise _type_error(value, type_name)
    if type_name == "structure":
        return _deserialize_structure(shape, value)
    if type_name == "list":
        # Nulls stay so that validation can report them at their position.
        return [None if item is None else _deserialize(shape.member, item) for item in value]
    if type_name == "map":
        return {k: None if v is None else _deserialize(shape.value, v) for k, v in value.items()}
    return _deserialize_scalar(type_name, value)


def _deserialize_scalar(type_name: str, value: object) -> object:
    if type_name not in _SCALARS:
        return value
    if isinstance(value, bool):
        if type_name == "boolean":
            return value
    elif isinstance(value, int | float):
        number = _deserialize_number(type_name, value)
        if number is not None:
            return number
    elif isinstance(value, str):
        if type_name == "string":
            return value
        if type_name == "blob":
            try:
                return base64.b64decode(value, validate=True)
            except (binascii.Error, ValueError):
                pass
    raise _type_error(value, type_name)


def _deserialize_number(type_name: str, value: int | float) -> object | None:
    if type_name in _INT_BOUNDS:
        low, high = _INT_BOUNDS[type_name]
        # 1.5 is no integer; refusing it beats truncating what the client meant.
        if isinstance(value, float) and not value.is_integer():
            return None
        integer = int(value)
        return integer if low <= integer <= high else None
    if type_name in ("float", "double"):
        return float(value) if math.isfinite(value) else None
    if type_name == "timestamp":
        try:
            return datetime.fromtimestamp(value, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    return None


# --- validation ------------------------------------------------------------------------


def _validate_structure(
    shape: Shape, value: Mapping[str, Any], prefix: str, errors: list[str]
) -> None:
    required = set(shape.required_members)
    for name, member in shape.members.items():
        path = f"{prefix}.{lower_camel(name)}" if prefix else lower_camel(name)
        if name not in value:
            if name in required:
                errors.append(_null_error(path))
            continue
        _validate_value(member, value[name], path, errors)


def _validate_value(shape: Shape, value: Any, path: str, errors: list[str]) -> None:
    if _is_document(shape):
        return
    for text in _violations(shape, value):
        errors.append(_error(shape, value, path, text))
    type_name: str = shape.type_name
    if type_name == "structure":
        _validate_structure(shape, value, path, errors)
    elif type_name == "list":
        _validate_elements(shape, shape.member, value, path, "Member", errors)
    elif type_name == "map":
        key_texts = _merged(_violations(shape.key, key) for key in value)
        if key_texts:
            hidden = _is_sensitive(shape.key) or _is_sensitive(shape.value)
            errors.append(_error(shape, value, path, _nested("Map keys", key_texts), hidden))
        _validate_elements(shape, shape.value, value, path, "Map value", errors)


def _validate_elements(
    shape: Shape, element: Shape, items: Any, path: str, subject: str, errors: list[str]
) -> None:
    if isinstance(items, dict):
        labelled = list(items.items())
    else:
        labelled = [(str(index), item) for index, item in enumerate(items, start=1)]
    if element.type_name in _CONTAINERS and not _is_document(element):
        for label, item in labelled:
            item_path = f"{path}.{label}.member"
            if item is None:
                errors.append(_null_error(item_path))
            else:
                _validate_value(element, item, item_path, errors)
        return
    texts = _merged(
        [_NOT_NULL] if item is None else _violations(element, item) for _, item in labelled
    )
    if texts:
        hidden = _is_sensitive(element)
        errors.append(_error(shape, items, path, _nested(subject, texts), hidden))


def _null_error(path: str) -> str:
    return f"Value null at '{path}' failed to satisfy constraint: {_NOT_NULL}"


def _nested(subject: str, texts: list[str]) -> str:
    return f"{subject} must satisfy constraint: [{', '.join(texts)}]"


def _merged(groups: Iterable[list[str]]) -> list[str]:
    # One error per collection, each distinct violation once, in first-seen order.
    return list(dict.fromkeys(text for group in groups for text in group))


def _violations(shape: Shape, value: Any) -> list[str]:
    """The constraints ``value`` breaks: length or range, then pattern, then enum."""
    meta: Mapping[str, Any] = shape.metadata
    type_name: str = shape.type_name
    texts: list[str] = []
    if type_name in _SIZED:
        # Strings are measured in code points (Smithy's rule), not UTF-16 units.
        kind, amount = "length", len(value)
    elif type_name in _NUMERIC:
        kind, amount = "value", value
    else:
        return texts
    if "min" in meta and amount < meta["min"]:
        texts.append(f"Member must have {kind} greater than or equal to {meta['min']}")
    if "max" in meta and amount > meta["max"]:
        texts.append(f"Member must have {kind} less than or equal to {meta['max']}")
    if type_name == "string":
        pattern = meta.get("pattern")
        if pattern is not None and not _matches(pattern, value):
            texts.append(f"Member must satisfy regular expression pattern: {pattern}")
        elif not is_text(value):
            # The text rule (domain.values): reported only where the model's own pattern
            # has not already refused the value.
            texts.append(TEXT_RULE)
        enum: list[str] = meta.get("enum") or []
        if enum and value not in enum:
            texts.append(f"Member must satisfy enum value set: [{', '.join(enum)}]")
    return texts


def _is_sensitive(shape: Shape) -> bool:
    # Member traits are merged into the member's shape metadata by botocore, so this
    # covers both a sensitive shape and a member marked sensitive.
    return bool(shape.metadata.get("sensitive", False))


def _error(shape: Shape, value: Any, path: str, text: str, hidden: bool = False) -> str:
    if hidden or _is_sensitive(shape):
        return f"Value at '{path}' failed to satisfy constraint: {text}"
    return f"Value '{_show(shape, value)}' at '{path}' failed to satisfy constraint: {text}"


def _show(shape: Shape | None, value: Any) -> str:
    """Java ``toString``-like rendering of a value, as Coral puts it in its messages."""
    if shape is not None and _is_sensitive(shape):
        return _REDACTED
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    kind = "" if shape is None else shape.type_name
    if isinstance(value, list):
        element = shape.member if shape is not None and kind == "list" else None
        return "[" + ", ".join(_show(element, item) for item in value) + "]"
    if isinstance(value, dict):
        members: Mapping[str, Any] = {}
        if shape is not None and kind == "structure":
            members = shape.members
        elif shape is not None and kind == "map":
            members = dict.fromkeys(value, shape.value)
        return "{" + ", ".join(f"{k}={_show(members.get(k), v)}" for k, v in value.items()) + "}"
    text = str(value)
    # A 60,000-character value would otherwise be echoed whole, in the body and in the
    # x-amzn-ErrorMessage header; the path and the constraint say what is wrong.
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 3] + "..."


# --- output ----------------------------------------------------------------------------


_CONVERTED = frozenset({"structure", "list", "map", "timestamp", "blob"})
Shaper = Callable[[Any], Any]


def _as_is(shape: Shape) -> bool:
    """Whether a value of ``shape`` goes out as it is (strings, numbers, booleans and
    documents): the members that need no function of their own."""
    return _is_document(shape) or shape.type_name not in _CONVERTED


@functools.lru_cache(maxsize=1024)  # botocore caches shapes per model: a few hundred here
def _shaper(shape: Shape) -> Shaper:
    """The function that shapes a value of ``shape``, built once per shape: a page of 60
    users is 900 attribute structures, and deciding each one's type anew, member by
    member, was a quarter of the ListUsers call."""
    if _as_is(shape):
        return _same
    type_name = shape.type_name
    if type_name == "structure":
        if all(_as_is(member) for member in shape.members.values()):
            return functools.partial(_flat_structure, shape, frozenset(shape.members))
        return functools.partial(_output_structure, shape)
    if type_name == "list":
        return _list_shaper(shape.member)
    if type_name == "map":
        return _map_shaper(shape.value)
    if type_name == "timestamp":
        return _epoch_seconds
    return _blob


def _same(value: Any) -> Any:
    return value


def _blob(value: Any) -> Any:
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode("ascii")
    return value


def _list_shaper(member: Shape) -> Shaper:
    if _as_is(member):
        return lambda value: [item for item in value if item is not None]
    # Built now: a structure's shaper reads its own plan only when called, so a shape
    # that contains itself through a structure does not recurse here.
    shaper = _shaper(member)
    return lambda value: [shaper(item) for item in value if item is not None]


def _map_shaper(member: Shape) -> Shaper:
    if _as_is(member):
        return lambda value: {k: v for k, v in value.items() if v is not None}
    shaper = _shaper(member)
    return lambda value: {k: shaper(v) for k, v in value.items() if v is not None}


@functools.lru_cache(maxsize=1024)
def _output_plan(shape: Shape) -> tuple[tuple[str, Shaper | None], ...]:
    """Each member's name, and its shaper unless its value goes out as it is."""
    return tuple(
        (name, None if _as_is(member) else _shaper(member))
        for name, member in shape.members.items()
    )


def _output_structure(shape: Shape, data: Mapping[str, Any]) -> dict[str, Any]:
    if not isinstance(data, dict | Mapping):
        raise TypeError(f"{shape.name} needs a mapping, not {type(data).__name__}")
    body: dict[str, Any] = {}
    for name, shaper in _output_plan(shape):
        value = data.get(name)
        if value is not None:
            body[name] = value if shaper is None else shaper(value)
    return body


def _flat_structure(shape: Shape, names: frozenset[str], data: Mapping[str, Any]) -> Any:
    """A structure whose members all go out as they are (a user's attribute: a name and
    a value). A dict with no other member and no None is already its own output, which
    two checks in C tell; any other is copied without what does not belong."""
    if isinstance(data, dict) and data.keys() <= names and None not in data.values():
        return data
    if not isinstance(data, Mapping):
        raise TypeError(f"{shape.name} needs a mapping, not {type(data).__name__}")
    return {name: value for name, value in data.items() if name in names and value is not None}


def _epoch_seconds(value: object) -> float:
    if isinstance(value, datetime):
        # Naive datetimes are taken as UTC, the only zone the service stores.
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return round(aware.timestamp(), 3)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return round(float(value), 3)
    raise TypeError(f"a timestamp must be a datetime or epoch seconds, not {type(value).__name__}")
