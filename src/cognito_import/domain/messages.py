"""The messages a pool sends (reset codes, invitations), where they go, and how the
destination is shown back to the caller.

Texts come from the pool's settings as DescribeUserPool shows them
(``VerificationMessageTemplate``, ``EmailVerificationMessage``/``Subject``,
``SmsVerificationMessage``, ``AdminCreateUserConfig.InviteMessageTemplate``), with
``{####}`` replaced by the code (or temporary password) and ``{username}`` by the
username, and Cognito's default texts when the pool has none.

Decisions where AWS is silent or its behaviour is unverified:

- Where a reset code goes follows ``AccountRecoverySetting.RecoveryMechanisms`` by
  priority; without one, Cognito's legacy order: a verified phone number, then a
  verified email. Only verified attributes receive codes.
- An invitation goes to each of ``DesiredDeliveryMediums`` (default ``SMS``, as in
  AWS) for which the user has the attribute; a user with none gets no message.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

EMAIL = "EMAIL"
SMS = "SMS"

FORGOT_PASSWORD = "FORGOT_PASSWORD"
ADMIN_RESET = "ADMIN_RESET_PASSWORD"
INVITATION = "INVITATION"

DEFAULT_CODE_EMAIL = "Your verification code is {####}."
DEFAULT_CODE_SUBJECT = "Your verification code"
DEFAULT_CODE_SMS = "Your verification code is {####}."
DEFAULT_INVITE_EMAIL = "Your username is {username} and temporary password is {####}."
DEFAULT_INVITE_SUBJECT = "Your temporary password"
DEFAULT_INVITE_SMS = "Your username is {username} and temporary password is {####}."

# The medium, and the attribute that holds the destination and its verified flag.
_MEDIA = {
    "verified_email": (EMAIL, "email", "email_verified"),
    "verified_phone_number": (SMS, "phone_number", "phone_number_verified"),
}
_LEGACY_ORDER = ("verified_phone_number", "verified_email")
ADMIN_ONLY = "admin_only"


@dataclass(frozen=True)
class Delivery:
    medium: str
    attribute: str
    destination: str

    def details(self) -> dict[str, str]:
        """CodeDeliveryDetailsType, with the destination masked as Cognito masks it."""
        return {
            "Destination": mask(self.medium, self.destination),
            "DeliveryMedium": self.medium,
            "AttributeName": self.attribute,
        }


@dataclass(frozen=True)
class Message:
    """One message as the outbox keeps it."""

    kind: str
    medium: str
    destination: str
    subject: str
    body: str
    code: str


def mask(medium: str, destination: str) -> str:
    """``jane@example.com`` -> ``j***@e***``; ``+14325551212`` -> ``+*******1212``."""
    if medium == EMAIL:
        local, _, domain = destination.partition("@")
        return f"{local[:1]}***@{domain[:1]}***"
    shown = destination[-4:]
    hidden = max(len(destination) - 1 - len(shown), 0)
    return destination[:1] + "*" * hidden + shown


def recovery_order(settings: Mapping[str, Any]) -> list[str]:
    """The pool's recovery mechanisms, most preferred first."""
    mechanisms = (settings.get("AccountRecoverySetting") or {}).get("RecoveryMechanisms")
    if not mechanisms:
        return list(_LEGACY_ORDER)
    ranked = sorted(mechanisms, key=lambda m: m.get("Priority", 0))
    return [str(m.get("Name")) for m in ranked]


def reset_delivery(settings: Mapping[str, Any], attributes: Mapping[str, str]) -> Delivery | None:
    """Where a reset code for a user with ``attributes`` goes; None if nowhere."""
    for name in recovery_order(settings):
        if name not in _MEDIA:
            continue
        medium, attribute, verified = _MEDIA[name]
        if attributes.get(attribute) and attributes.get(verified) == "true":
            return Delivery(medium, attribute, attributes[attribute])
    return None


def admin_only(settings: Mapping[str, Any]) -> bool:
    return recovery_order(settings) == [ADMIN_ONLY]


def invitation_deliveries(media: list[str], attributes: Mapping[str, str]) -> list[Delivery]:
    found = []
    for medium in media:
        attribute = "email" if medium == EMAIL else "phone_number"
        if attributes.get(attribute):
            found.append(Delivery(medium, attribute, attributes[attribute]))
    return found


def _fill(template: str, code: str, username: str) -> str:
    return template.replace("{####}", code).replace("{username}", username)


def code_message(
    settings: Mapping[str, Any], kind: str, delivery: Delivery, code: str, username: str
) -> Message:
    template = settings.get("VerificationMessageTemplate") or {}
    if delivery.medium == EMAIL:
        body = (
            template.get("EmailMessage")
            or settings.get("EmailVerificationMessage")
            or DEFAULT_CODE_EMAIL
        )
        subject = (
            template.get("EmailSubject")
            or settings.get("EmailVerificationSubject")
            or DEFAULT_CODE_SUBJECT
        )
    else:
        body = (
            template.get("SmsMessage") or settings.get("SmsVerificationMessage") or DEFAULT_CODE_SMS
        )
        subject = ""
    return Message(
        kind, delivery.medium, delivery.destination, subject, _fill(body, code, username), code
    )


def invitation(
    settings: Mapping[str, Any], delivery: Delivery, password: str, username: str
) -> Message:
    template = (settings.get("AdminCreateUserConfig") or {}).get("InviteMessageTemplate") or {}
    if delivery.medium == EMAIL:
        body = template.get("EmailMessage") or DEFAULT_INVITE_EMAIL
        subject = template.get("EmailSubject") or DEFAULT_INVITE_SUBJECT
    else:
        body = template.get("SMSMessage") or DEFAULT_INVITE_SMS
        subject = ""
    return Message(
        INVITATION,
        delivery.medium,
        delivery.destination,
        subject,
        _fill(body, password, username),
        password,
    )
