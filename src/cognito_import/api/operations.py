"""Every operation the server answers, in one table: its handler and what it may do.

Whether an operation is signed is not written here: it comes from botocore's service
model (``modelled_unsigned``), as AWS and every SDK have it. ``access`` says where the
handler runs (``protocol/awsjson.py``): ``READ`` operations are bounded by one small page
and run on the event loop on SQLite (ListUsers is one when its filter matches a few users
by an index; the store moves other filters to the threadpool); ``SCAN`` reads can scan
without bound (a job's outcomes: GetLogEvents and FilterLogEvents; every pool and job of
the account: DescribeLogGroups and DescribeLogStreams) and stay in the threadpool with
the writes, where SQLite and psycopg release the GIL while they work. A ``READ`` that
finds it must write after all (a job past its expiry) is moved by the store itself.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

from cognito_import.api import (
    account,
    challenges,
    clients,
    credentials,
    import_jobs,
    logs,
    pools,
    signin,
    users,
)
from cognito_import.protocol.awsjson import (
    READ,
    SCAN,
    WRITE,
    Access,
    Context,
    Operation,
    Result,
    operation,
)
from cognito_import.runtime import Runtime

ApiHandler = Callable[[Runtime, Context, dict[str, Any]], Result]

COGNITO_PREFIX = "AWSCognitoIdentityProviderService"
LOGS_PREFIX = "Logs_20140328"

COGNITO: dict[str, tuple[ApiHandler, Access]] = {
    "CreateUserPool": (pools.create_user_pool, WRITE),
    "DescribeUserPool": (pools.describe_user_pool, READ),
    "ListUserPools": (pools.list_user_pools, READ),
    "DeleteUserPool": (pools.delete_user_pool, WRITE),
    "AdminCreateUser": (users.admin_create_user, WRITE),
    "AdminGetUser": (users.admin_get_user, READ),
    "AdminDeleteUser": (users.admin_delete_user, WRITE),
    "ListUsers": (users.list_users, READ),
    "AdminSetUserPassword": (credentials.admin_set_user_password, WRITE),
    "AdminResetUserPassword": (credentials.admin_reset_user_password, WRITE),
    "AdminDisableUser": (credentials.admin_disable_user, WRITE),
    "AdminEnableUser": (credentials.admin_enable_user, WRITE),
    "ForgotPassword": (credentials.forgot_password, WRITE),
    "ConfirmForgotPassword": (credentials.confirm_forgot_password, WRITE),
    "GetCSVHeader": (import_jobs.get_csv_header, READ),
    "CreateUserImportJob": (import_jobs.create_user_import_job, WRITE),
    "DescribeUserImportJob": (import_jobs.describe_user_import_job, READ),
    "ListUserImportJobs": (import_jobs.list_user_import_jobs, READ),
    "StartUserImportJob": (import_jobs.start_user_import_job, WRITE),
    "StopUserImportJob": (import_jobs.stop_user_import_job, WRITE),
    "CreateUserPoolClient": (clients.create_user_pool_client, WRITE),
    "DescribeUserPoolClient": (clients.describe_user_pool_client, READ),
    "ListUserPoolClients": (clients.list_user_pool_clients, READ),
    "UpdateUserPoolClient": (clients.update_user_pool_client, WRITE),
    "DeleteUserPoolClient": (clients.delete_user_pool_client, WRITE),
    # Sign-in writes: a session per sign-in, a pool's key on its first, a credential
    # upgraded on an imported user's first.
    "InitiateAuth": (signin.initiate_auth, WRITE),
    "AdminInitiateAuth": (signin.admin_initiate_auth, WRITE),
    "RespondToAuthChallenge": (challenges.respond_to_auth_challenge, WRITE),
    "AdminRespondToAuthChallenge": (challenges.admin_respond_to_auth_challenge, WRITE),
    "GetTokensFromRefreshToken": (account.get_tokens_from_refresh_token, WRITE),
    "RevokeToken": (account.revoke_token, WRITE),
    "GlobalSignOut": (account.global_sign_out, WRITE),
    "AdminUserGlobalSignOut": (account.admin_user_global_sign_out, WRITE),
    # A token check is a few indexed reads and an RSA verification (~0.1 ms).
    "GetUser": (account.get_user, READ),
    "ChangePassword": (account.change_password, WRITE),
}

LOGS: dict[str, tuple[ApiHandler, Access]] = {
    "DescribeLogGroups": (logs.describe_log_groups, SCAN),
    "DescribeLogStreams": (logs.describe_log_streams, SCAN),
    "GetLogEvents": (logs.get_log_events, SCAN),
    "FilterLogEvents": (logs.filter_log_events, SCAN),
}


def bind(
    rt: Runtime, model_name: str, table: Mapping[str, tuple[ApiHandler, Access]]
) -> dict[str, Operation]:
    """The table's operations with their handlers bound to ``rt``."""
    return {
        name: operation(model_name, name, functools.partial(handler, rt), access)
        for name, (handler, access) in table.items()
    }
