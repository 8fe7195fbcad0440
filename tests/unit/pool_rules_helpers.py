"""What the pool-rule test modules (``test_pool_rules_*.py``) share: the cognito-idp
model, builders for CreateUserPool's Schema entries and for described schema attributes,
and a pool made from a CreateUserPool request."""

from __future__ import annotations

from typing import Any

import botocore.session

from cognito_import.domain.pool_rules import config_from_request
from cognito_import.domain.pools import Pool

MODEL = botocore.session.get_session().get_service_model("cognito-idp")


def members(shape: str) -> list[str]:
    return list(MODEL.shape_for(shape).members)


def custom(name: str, data_type: str = "String", **extra: Any) -> dict[str, Any]:
    return {"Name": name, "AttributeDataType": data_type, **extra}


def schema(*entries: dict[str, Any]) -> dict[str, Any]:
    return {"Schema": list(entries)}


def lengths(**bounds: str) -> dict[str, Any]:
    return {"StringAttributeConstraints": bounds}


def values(**bounds: str) -> dict[str, Any]:
    return {"NumberAttributeConstraints": bounds}


def make_pool(params: dict[str, Any], region: str = "eu-west-1") -> Pool:
    config, settings = config_from_request({"PoolName": "p", **params})
    return Pool(
        id=f"{region}_abcDEF123",
        name="p",
        account="123456789012",
        region=region,
        created=1700000000.1234567,
        modified=1700000001.9876543,
        config=config,
        settings=settings,
    )


def strings(min_length: str, max_length: str = "2048") -> dict[str, Any]:
    return {"StringAttributeConstraints": {"MinLength": min_length, "MaxLength": max_length}}


def attr(name: str, data_type: str = "String", **extra: Any) -> dict[str, Any]:
    return {
        "Name": name,
        "AttributeDataType": data_type,
        "DeveloperOnlyAttribute": extra.pop("dev", False),
        "Mutable": extra.pop("mutable", True),
        "Required": extra.pop("required", False),
        **extra,
    }
