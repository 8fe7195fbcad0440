-- ListUsers filters from an index: see the SQLite version. COLLATE "C" orders values by
-- code point whatever the database's collation, so that a prefix is a range.
-- Versions before the text rule (domain/values.py) stored NUL as the JSON escape
-- \u0000, which jsonb refuses, so that every filter on the pool failed: those become
-- U+FFFD, on the only database where they could break a read.
UPDATE users SET attributes = replace(attributes, '\u0000', '\ufffd') WHERE strpos(attributes, '\u0000') > 0;
CREATE TABLE user_search (
    pool_id TEXT NOT NULL,
    attribute TEXT NOT NULL,
    value TEXT COLLATE "C" NOT NULL,
    username_key TEXT NOT NULL,
    PRIMARY KEY (pool_id, attribute, value, username_key)
);
ALTER TABLE pools ADD COLUMN search_count BIGINT NOT NULL DEFAULT -1;
