"""Issue 10's passwords over the wire: the reset path, AdminSetUserPassword, disabled
users, AdminCreateUser's temporary passwords, the outbox and SMTP."""
