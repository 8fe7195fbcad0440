-- App clients, the pools' token signing keys and the refresh tokens (issue 10).
CREATE TABLE pool_clients (
    client_id TEXT PRIMARY KEY,
    pool_id TEXT NOT NULL,
    name TEXT NOT NULL,
    secret TEXT,
    created DOUBLE PRECISION NOT NULL,
    modified DOUBLE PRECISION NOT NULL,
    -- The client's settings as DescribeUserPoolClient shows them (JSON).
    config TEXT NOT NULL
);
CREATE INDEX pool_clients_by_pool ON pool_clients (pool_id, client_id);

-- One RSA key per pool, made on the first sign-in: every process signs and verifies
-- with the same key.
CREATE TABLE pool_keys (
    pool_id TEXT PRIMARY KEY,
    kid TEXT NOT NULL,
    private_pem TEXT NOT NULL
);

-- A sign-in session: the refresh token (stored as its SHA-256) and the origin_jti that
-- every ID and access token issued from it carries, so revoking the row revokes them all.
CREATE TABLE refresh_tokens (
    origin_jti TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    pool_id TEXT NOT NULL,
    client_id TEXT NOT NULL,
    username_key TEXT NOT NULL,
    auth_time DOUBLE PRECISION NOT NULL,
    expires DOUBLE PRECISION NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX refresh_tokens_by_user ON refresh_tokens (pool_id, username_key);
CREATE INDEX refresh_tokens_by_client ON refresh_tokens (client_id);
