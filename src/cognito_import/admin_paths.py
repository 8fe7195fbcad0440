"""Where the emulator's own endpoints live and how their calls are signed: what the
server (``admin``, ``outbox_endpoint``) and its clients (``reset``, the pytest plugin)
share. Apart from the server, so that a client importing these names does not import the
whole server too (botocore's models among it: a fifth of a second that every command,
and every parser process a command spawns, paid on start)."""

from __future__ import annotations

ADMIN_PREFIX = "/_cognito-import"
RESET_PATH = ADMIN_PREFIX + "/reset"
SIGNING_NAME = "cognito-idp"
