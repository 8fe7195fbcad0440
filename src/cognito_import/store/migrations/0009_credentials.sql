-- Reset codes (ForgotPassword, AdminResetUserPassword): one outstanding code per user and
-- purpose, kept as an HMAC digest, never as the code itself.
CREATE TABLE user_codes (
    pool_id TEXT NOT NULL,
    username_key TEXT NOT NULL,
    purpose TEXT NOT NULL,
    digest TEXT NOT NULL,
    expires DOUBLE PRECISION NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (pool_id, username_key, purpose)
);

-- When a temporary password (FORCE_CHANGE_PASSWORD) stops working.
CREATE TABLE temporary_passwords (
    pool_id TEXT NOT NULL,
    username_key TEXT NOT NULL,
    expires DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (pool_id, username_key)
);

-- Every message a pool would have sent, readable by the account that owns the pool.
CREATE TABLE outbox (
    message_id TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    pool_id TEXT NOT NULL,
    username TEXT NOT NULL,
    created DOUBLE PRECISION NOT NULL,
    kind TEXT NOT NULL,
    medium TEXT NOT NULL,
    destination TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    code TEXT NOT NULL,
    smtp TEXT NOT NULL
);
CREATE INDEX outbox_by_pool ON outbox (account, pool_id, created, message_id);
