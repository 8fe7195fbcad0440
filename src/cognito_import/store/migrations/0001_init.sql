-- One text for SQLite and PostgreSQL: only types and syntax both accept.
CREATE TABLE pools (
    pool_id TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    created DOUBLE PRECISION NOT NULL,
    modified DOUBLE PRECISION NOT NULL,
    config TEXT NOT NULL,
    settings TEXT NOT NULL
);
CREATE INDEX pools_by_account ON pools (account, region, pool_id);

CREATE TABLE users (
    pool_id TEXT NOT NULL,
    username_key TEXT NOT NULL,
    username TEXT NOT NULL,
    sub TEXT NOT NULL,
    status TEXT NOT NULL,
    enabled INTEGER NOT NULL,
    created DOUBLE PRECISION NOT NULL,
    modified DOUBLE PRECISION NOT NULL,
    attributes TEXT NOT NULL,
    mfa_enabled INTEGER NOT NULL,
    password_hash TEXT,
    hash_algorithm TEXT,
    PRIMARY KEY (pool_id, username_key)
);

-- Values of alias and username attributes, unique per pool; lower-cased where Cognito
-- compares case-insensitively (email).
CREATE TABLE user_aliases (
    pool_id TEXT NOT NULL,
    attribute TEXT NOT NULL,
    value TEXT NOT NULL,
    username_key TEXT NOT NULL,
    PRIMARY KEY (pool_id, attribute, value)
);
CREATE INDEX user_aliases_by_user ON user_aliases (pool_id, username_key);

CREATE TABLE jobs (
    job_id TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    pool_id TEXT NOT NULL,
    name TEXT NOT NULL,
    role_arn TEXT NOT NULL,
    hash_algorithm TEXT,
    status TEXT NOT NULL,
    created DOUBLE PRECISION NOT NULL,
    started DOUBLE PRECISION,
    completed DOUBLE PRECISION,
    message TEXT,
    imported BIGINT NOT NULL DEFAULT 0,
    skipped BIGINT NOT NULL DEFAULT 0,
    failed BIGINT NOT NULL DEFAULT 0,
    upload_size BIGINT,
    presign_key TEXT NOT NULL,
    region TEXT NOT NULL,
    resume_offset BIGINT NOT NULL DEFAULT 0,
    resume_line BIGINT NOT NULL DEFAULT 1,
    stop_requested INTEGER NOT NULL DEFAULT 0,
    worker TEXT,
    heartbeat DOUBLE PRECISION
);
CREATE INDEX jobs_by_pool ON jobs (pool_id, created, job_id);
CREATE INDEX jobs_by_status ON jobs (status, created);

-- Per-row outcomes that are not SUCCEEDED, and the committed batches: the log of a job
-- is served from these two, so a 500,000-row success costs one row per batch.
CREATE TABLE job_rows (
    job_id TEXT NOT NULL,
    line BIGINT NOT NULL,
    outcome TEXT NOT NULL,
    reason TEXT NOT NULL,
    PRIMARY KEY (job_id, line)
);

CREATE TABLE job_batches (
    job_id TEXT NOT NULL,
    first_line BIGINT NOT NULL,
    last_line BIGINT NOT NULL,
    committed DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (job_id, first_line)
);

CREATE TABLE server_state (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
