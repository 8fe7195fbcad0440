"""AdminCreateUser's temporary password: given (checked against the policy with
AdminCreateUser's own text) or generated, FORCE_CHANGE_PASSWORD with an expiry, the
invitation unless SUPPRESS, and RESEND."""

from __future__ import annotations

from typing import Any

from cognito_import.domain import passwords
from tests.api import refused
from tests.creds.helpers import GOOD, OTHER_GOOD, outbox, password_works, snapshot
from tests.live import LiveServer

EMAIL = [{"Name": "email", "Value": "jane@example.com"}]
DAY = 86_400


def _pool(cognito: Any, **kwargs: Any) -> str:
    pool_id: str = cognito.create_user_pool(PoolName="invites", **kwargs)["UserPool"]["Id"]
    return pool_id


def test_a_given_temporary_password_and_its_invitation(server: LiveServer, cognito: Any) -> None:
    pool_id = _pool(cognito)
    user = cognito.admin_create_user(
        UserPoolId=pool_id,
        Username="jane",
        UserAttributes=EMAIL,
        TemporaryPassword=GOOD,
        DesiredDeliveryMediums=["EMAIL"],
    )["User"]
    assert user["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    assert password_works(server, pool_id, GOOD)
    [message] = outbox(server, pool_id)
    assert message["Kind"] == "INVITATION"
    assert (message["DeliveryMedium"], message["Destination"]) == ("EMAIL", "jane@example.com")
    assert message["Subject"] == "Your temporary password"
    assert message["Body"] == f"Your username is jane and temporary password is {GOOD}."
    assert message["Code"] == GOOD
    # The temporary password works for the pool's TemporaryPasswordValidityDays (7).
    credentials = server.rt.store.credentials
    now = server.clock.now()
    assert not credentials.temporary_expired(pool_id, "jane", now + 7 * DAY - 60)
    assert credentials.temporary_expired(pool_id, "jane", now + 7 * DAY + 60)


def test_a_generated_one_meets_the_policy(server: LiveServer, cognito: Any) -> None:
    pool_id = _pool(cognito)
    cognito.admin_create_user(
        UserPoolId=pool_id, Username="jane", UserAttributes=EMAIL, DesiredDeliveryMediums=["EMAIL"]
    )
    [message] = outbox(server, pool_id)
    generated = message["Code"]
    assert passwords.policy_problem({}, generated) is None
    assert password_works(server, pool_id, generated)


def test_the_pools_invitation_template(server: LiveServer, cognito: Any) -> None:
    template = {
        "EmailSubject": "Welcome",
        "EmailMessage": "Hi {username}, use {####} to sign in.",
        "SMSMessage": "{username}: {####}",
    }
    pool_id = _pool(cognito, AdminCreateUserConfig={"InviteMessageTemplate": template})
    cognito.admin_create_user(
        UserPoolId=pool_id,
        Username="jane",
        UserAttributes=[*EMAIL, {"Name": "phone_number", "Value": "+14325551212"}],
        TemporaryPassword=GOOD,
        DesiredDeliveryMediums=["EMAIL", "SMS"],
    )
    found = {m["DeliveryMedium"]: m for m in outbox(server, pool_id)}
    assert found["EMAIL"]["Subject"] == "Welcome"
    assert found["EMAIL"]["Body"] == f"Hi jane, use {GOOD} to sign in."
    assert (found["SMS"]["Destination"], found["SMS"]["Body"]) == ("+14325551212", f"jane: {GOOD}")


def test_suppress_and_no_destination_send_nothing(server: LiveServer, cognito: Any) -> None:
    pool_id = _pool(cognito)
    cognito.admin_create_user(
        UserPoolId=pool_id, Username="quiet", UserAttributes=EMAIL, MessageAction="SUPPRESS"
    )
    # SMS by default, as in AWS, and this user has no phone number.
    cognito.admin_create_user(
        UserPoolId=pool_id,
        Username="nophone",
        UserAttributes=[{"Name": "email", "Value": "n@example.com"}],
    )
    assert outbox(server, pool_id) == []


def test_a_temporary_password_the_policy_refuses_creates_nothing(
    server: LiveServer, cognito: Any
) -> None:
    pool_id = _pool(cognito)
    before = snapshot(server, pool_id)
    assert refused(
        lambda: cognito.admin_create_user(
            UserPoolId=pool_id, Username="jane", UserAttributes=EMAIL, TemporaryPassword="short"
        )
    ) == (
        "InvalidPasswordException",
        400,
        "Password did not conform with password policy: Password not long enough",
    )
    assert snapshot(server, pool_id) == before
    assert cognito.list_users(UserPoolId=pool_id)["Users"] == []


def test_resend_sets_a_new_temporary_password(server: LiveServer, cognito: Any) -> None:
    pool_id = _pool(cognito)
    cognito.admin_create_user(
        UserPoolId=pool_id,
        Username="jane",
        UserAttributes=EMAIL,
        TemporaryPassword=GOOD,
        DesiredDeliveryMediums=["EMAIL"],
    )
    cognito.admin_create_user(
        UserPoolId=pool_id,
        Username="jane",
        MessageAction="RESEND",
        TemporaryPassword=OTHER_GOOD,
        DesiredDeliveryMediums=["EMAIL"],
    )
    assert [m["Code"] for m in outbox(server, pool_id)] == [GOOD, OTHER_GOOD]
    assert password_works(server, pool_id, OTHER_GOOD)
    assert not password_works(server, pool_id, GOOD)
    # Once the user has a password of its own, there is no invitation to resend.
    cognito.admin_set_user_password(
        UserPoolId=pool_id, Username="jane", Password=GOOD, Permanent=True
    )
    before = snapshot(server, pool_id)
    assert refused(
        lambda: cognito.admin_create_user(
            UserPoolId=pool_id, Username="jane", MessageAction="RESEND"
        )
    ) == (
        "UnsupportedUserStateException",
        400,
        "Resend not possible. jane status is not FORCE_CHANGE_PASSWORD",
    )
    assert snapshot(server, pool_id) == before
