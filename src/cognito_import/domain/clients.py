"""App clients: the settings CreateUserPoolClient and UpdateUserPoolClient take, their
defaults and checks, and what a sign-in needs from them (flows, token lifetimes).

AWS's rules as documented: without ``ExplicitAuthFlows`` a client allows SRP, custom
auth and refresh; the legacy flow names (without ``ALLOW_``) cannot be mixed with the new
ones, and a legacy client always allows SRP and refresh besides what it names; ID and
access tokens live 5 minutes to 1 day (default 1 hour), refresh tokens 60 minutes to
10 years (default 30 days), each in its ``TokenValidityUnits`` unit (hours for ID and
access, days for refresh, when not given). An Update sets every member it does not name
back to its default, as AWS warns it does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cognito_import.errors import InvalidParameterException

SRP = "ALLOW_USER_SRP_AUTH"
PASSWORD = "ALLOW_USER_PASSWORD_AUTH"
ADMIN_PASSWORD = "ALLOW_ADMIN_USER_PASSWORD_AUTH"
REFRESH = "ALLOW_REFRESH_TOKEN_AUTH"
CUSTOM = "ALLOW_CUSTOM_AUTH"
DEFAULT_FLOWS = frozenset({SRP, CUSTOM, REFRESH})
# What a legacy name allows, on top of SRP and refresh (always on for legacy clients).
LEGACY_FLOWS = {
    "ADMIN_NO_SRP_AUTH": ADMIN_PASSWORD,
    "USER_PASSWORD_AUTH": PASSWORD,
    "CUSTOM_AUTH_FLOW_ONLY": CUSTOM,
}

# Members of the request kept as the client's settings and shown back by Describe.
SETTINGS = (
    "RefreshTokenValidity",
    "AccessTokenValidity",
    "IdTokenValidity",
    "TokenValidityUnits",
    "ReadAttributes",
    "WriteAttributes",
    "ExplicitAuthFlows",
    "SupportedIdentityProviders",
    "CallbackURLs",
    "LogoutURLs",
    "DefaultRedirectURI",
    "AllowedOAuthFlows",
    "AllowedOAuthScopes",
    "AllowedOAuthFlowsUserPoolClient",
    "AnalyticsConfiguration",
    "PreventUserExistenceErrors",
    "EnableTokenRevocation",
    "EnablePropagateAdditionalUserContextData",
    "AuthSessionValidity",
    "RefreshTokenRotation",
)
DEFAULTS: dict[str, Any] = {
    "RefreshTokenValidity": 30,
    "TokenValidityUnits": {},
    "AllowedOAuthFlowsUserPoolClient": False,
    "EnableTokenRevocation": True,
    "EnablePropagateAdditionalUserContextData": False,
    "AuthSessionValidity": 3,
}

_SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86_400}
# (member, unit key, default value, default unit, min seconds, max seconds)
_VALIDITIES = (
    ("AccessTokenValidity", "AccessToken", 1, "hours", 300, 86_400),
    ("IdTokenValidity", "IdToken", 1, "hours", 300, 86_400),
    ("RefreshTokenValidity", "RefreshToken", 30, "days", 3_600, 315_360_000),
)
INVALID_RANGE = "Invalid range for token validity."
MIXED_FLOWS = "ExplicitAuthFlows cannot mix legacy values with ALLOW_ values."


@dataclass(frozen=True)
class AppClient:
    client_id: str
    pool_id: str
    name: str
    secret: str | None
    created: float
    modified: float
    settings: dict[str, Any]

    def flows(self) -> frozenset[str]:
        """The flows allowed, in the ``ALLOW_`` spelling whatever the client was given."""
        given = self.settings.get("ExplicitAuthFlows")
        if not given:
            return DEFAULT_FLOWS
        if any(flow in LEGACY_FLOWS for flow in given):
            return frozenset({SRP, REFRESH, *(LEGACY_FLOWS[f] for f in given)})
        return frozenset(given)

    def validity(self, member: str) -> int:
        """Seconds a token lives: ``AccessTokenValidity``, ``IdTokenValidity`` or
        ``RefreshTokenValidity``."""
        for name, unit_key, default, default_unit, _, _ in _VALIDITIES:
            if name == member:
                value = self.settings.get(name, default)
                unit = self.settings.get("TokenValidityUnits", {}).get(unit_key, default_unit)
                return int(value) * _SECONDS[unit]
        raise KeyError(member)

    @property
    def prevents_user_existence_errors(self) -> bool:
        return self.settings.get("PreventUserExistenceErrors") == "ENABLED"

    @property
    def revocation_enabled(self) -> bool:
        return bool(self.settings.get("EnableTokenRevocation", True))

    def describe(self) -> dict[str, Any]:
        wire: dict[str, Any] = {
            "UserPoolId": self.pool_id,
            "ClientName": self.name,
            "ClientId": self.client_id,
            "LastModifiedDate": self.modified,
            "CreationDate": self.created,
            **self.settings,
        }
        if self.secret is not None:
            wire["ClientSecret"] = self.secret
        return wire

    def summary(self) -> dict[str, Any]:
        return {"ClientId": self.client_id, "UserPoolId": self.pool_id, "ClientName": self.name}


def settings_from_request(p: dict[str, Any]) -> dict[str, Any]:
    """The client's settings from a Create or Update request, defaults filled in, after
    AWS's checks of what the model cannot say; ``InvalidParameterException`` otherwise."""
    settings = {**DEFAULTS, **{k: p[k] for k in SETTINGS if k in p}}
    flows = settings.get("ExplicitAuthFlows")
    if flows:
        legacy = [f for f in flows if f in LEGACY_FLOWS]
        if legacy and len(legacy) != len(flows):
            raise InvalidParameterException(MIXED_FLOWS)
    for name, unit_key, default, default_unit, low, high in _VALIDITIES:
        value = settings.get(name, default)
        unit = settings["TokenValidityUnits"].get(unit_key, default_unit)
        seconds = int(value) * _SECONDS[unit]
        if not low <= seconds <= high:
            raise InvalidParameterException(INVALID_RANGE)
    if settings.get("AllowedOAuthFlowsUserPoolClient") is False and (
        settings.get("AllowedOAuthFlows") or settings.get("AllowedOAuthScopes")
    ):
        # Hosted UI and OAuth are out of scope, but the client settings are stored.
        raise InvalidParameterException(
            "AllowedOAuthFlows and AllowedOAuthScopes are only allowed when "
            "AllowedOAuthFlowsUserPoolClient is true."
        )
    redirect = settings.get("DefaultRedirectURI")
    if redirect is not None and redirect not in settings.get("CallbackURLs", []):
        raise InvalidParameterException("DefaultRedirectURI must be one of the CallbackURLs.")
    return settings
