-- ListUsers filters on sub, email and phone_number from an index (see the SQLite
-- version for why these three). COLLATE "C" makes a prefix a range of code points
-- whatever the database's collation; the expressions are spelled exactly as
-- PostgresDatabase.attribute_field and PoolStore spell them.
-- Versions before the text rule (domain/values.py) stored NUL as the JSON escape
-- \u0000, which jsonb refuses, so that every filter on the pool failed: those become
-- U+FFFD, on the only database where they could break a read.
UPDATE users SET attributes = replace(attributes, '\u0000', '\ufffd') WHERE strpos(attributes, '\u0000') > 0;
CREATE INDEX users_by_sub ON users (pool_id, (sub COLLATE "C"));
CREATE INDEX users_by_email ON users (pool_id, ((attributes::jsonb ->> 'email') COLLATE "C"));
CREATE INDEX users_by_phone ON users (pool_id, ((attributes::jsonb ->> 'phone_number') COLLATE "C"));
