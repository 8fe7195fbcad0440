-- ListUsers filters answered from an index instead of a scan of the pool (a filter on a
-- 500,000-user pool took 180 ms): one row per user and searchable value, the value cut
-- to its first 200 characters (longer ones are checked again against the user).
-- Indexes on the users table itself were tried and dropped: kept up to date row by row,
-- they made a 500,000-user import three times slower. This table is instead filled in
-- one sorted pass when a filter needs it (PoolStore.list_users); pools.search_count says
-- how many users it covers, -1 when it is out of date.
CREATE TABLE user_search (
    pool_id TEXT NOT NULL,
    attribute TEXT NOT NULL,
    value TEXT NOT NULL,
    username_key TEXT NOT NULL,
    PRIMARY KEY (pool_id, attribute, value, username_key)
) WITHOUT ROWID;
ALTER TABLE pools ADD COLUMN search_count BIGINT NOT NULL DEFAULT -1;
