"""The one error hierarchy of the service.

Every error a client can see is a ``ServiceError`` subclass whose ``code`` is the AWS
error code sent as ``__type``. Domain, storage and protocol code raise these; exactly one
place (``protocol/awsjson.py``) turns them into a response, so the envelope cannot drift.

    ServiceError                       400 unless ``status`` says otherwise
    +-- InvalidParameterException      model constraint or rule violation
    +-- ResourceNotFoundException      pool, job, log group/stream unknown
    +-- UserNotFoundException
    +-- UsernameExistsException
    +-- AliasExistsException
    +-- NotAuthorizedException         sign-in refused: password, token, secret hash
    +-- PasswordResetRequiredException a RESET_REQUIRED user signs in
    +-- UnsupportedTokenTypeException  RevokeToken given something else than a refresh token
    +-- UnsupportedOperationException  RevokeToken on a client without token revocation
    +-- UnauthorizedException          RevokeToken with an unknown client or wrong secret
    +-- PreconditionNotMetException    job in the wrong state, no CSV uploaded
    +-- LimitExceededException         1,000 jobs per pool; a reset code's attempts spent
    +-- InvalidPasswordException       a password the pool's policy refuses
    +-- CodeMismatchException          a wrong reset code
    +-- ExpiredCodeException           a reset code past its life, used, or never sent
    +-- UnsupportedUserStateException  AdminCreateUser RESEND for a user past its invitation
    +-- SerializationException         body is not a JSON object / wrong JSON type
    +-- UnknownOperationException      unknown X-Amz-Target
    +-- MissingAuthenticationTokenException
    +-- UnrecognizedClientException    unknown access key
    +-- InvalidSignatureException      bad signature or clock skew
    +-- RequestEntityTooLargeException 413: body over the protocol's limit
    +-- InternalErrorException         500

Upload (pre-signed S3 PUT) errors are S3's XML errors, a separate family: ``S3Error``.
"""

from __future__ import annotations


class ServiceError(Exception):
    code: str = "ServiceError"
    status: int = 400
    default_message: str = ""

    def __init__(self, message: str | None = None) -> None:
        self.message = message if message is not None else self.default_message
        super().__init__(self.message)


class InvalidParameterException(ServiceError):
    code = "InvalidParameterException"


class ResourceNotFoundException(ServiceError):
    code = "ResourceNotFoundException"


class UserNotFoundException(ServiceError):
    code = "UserNotFoundException"
    default_message = "User does not exist."


class UsernameExistsException(ServiceError):
    code = "UsernameExistsException"
    default_message = "User account already exists"


class AliasExistsException(ServiceError):
    code = "AliasExistsException"
    default_message = "An account with the given email already exists."


class NotAuthorizedException(ServiceError):
    code = "NotAuthorizedException"
    default_message = "Incorrect username or password."


class PasswordResetRequiredException(ServiceError):
    code = "PasswordResetRequiredException"
    default_message = "Password reset required for the user"


class UnsupportedTokenTypeException(ServiceError):
    code = "UnsupportedTokenTypeException"


class UnauthorizedException(ServiceError):
    code = "UnauthorizedException"


class UnsupportedOperationException(ServiceError):
    code = "UnsupportedOperationException"


class PreconditionNotMetException(ServiceError):
    code = "PreconditionNotMetException"


class LimitExceededException(ServiceError):
    code = "LimitExceededException"


class InvalidPasswordException(ServiceError):
    code = "InvalidPasswordException"


class CodeMismatchException(ServiceError):
    code = "CodeMismatchException"
    default_message = "Invalid verification code provided, please try again."


class ExpiredCodeException(ServiceError):
    code = "ExpiredCodeException"
    default_message = "Invalid code provided, please request a code again."


class UnsupportedUserStateException(ServiceError):
    code = "UnsupportedUserStateException"


class SerializationException(ServiceError):
    code = "SerializationException"


class UnknownOperationException(ServiceError):
    code = "UnknownOperationException"


class MissingAuthenticationTokenException(ServiceError):
    code = "MissingAuthenticationTokenException"
    default_message = "Missing Authentication Token"


class UnrecognizedClientException(ServiceError):
    code = "UnrecognizedClientException"
    default_message = "The security token included in the request is invalid."


class InvalidSignatureException(ServiceError):
    code = "InvalidSignatureException"
    default_message = (
        "The request signature we calculated does not match the signature you provided. "
        "Check your AWS Secret Access Key and signing method. "
        "Consult the service documentation for details."
    )


class RequestEntityTooLargeException(ServiceError):
    # AWS's name for this refusal (Lambda's), with the HTTP status every front end uses.
    code = "RequestEntityTooLargeException"
    status = 413


class InternalErrorException(ServiceError):
    code = "InternalErrorException"
    status = 500
    default_message = "An internal error occurred."


class S3Error(Exception):
    """An S3-style XML error for the pre-signed upload endpoint."""

    def __init__(self, code: str, message: str, status: int = 403, reason: str = "") -> None:
        self.code = code
        self.message = message
        self.status = status
        # Why, for the server's log, where S3's message says too little ("Access Denied").
        self.reason = reason
        super().__init__(f"{code}: {message}")
