-- ListUsers filters on the lookups people make (sub, email, phone_number; username has
-- the primary key) answered from an index instead of a scan of the pool: a filter on a
-- 500,000-user pool took 180 ms. Each index costs the import about 1 s per 500,000
-- users, which is why the other searchable attributes (name, given_name, family_name,
-- preferred_username, cognito:user_status, status) are not indexed.
-- The expressions are spelled exactly as SqliteDatabase.attribute_field spells them.
CREATE INDEX users_by_sub ON users (pool_id, sub);
CREATE INDEX users_by_email ON users (pool_id, json_extract(attributes, '$."email"'));
CREATE INDEX users_by_phone ON users (pool_id, json_extract(attributes, '$."phone_number"'));
