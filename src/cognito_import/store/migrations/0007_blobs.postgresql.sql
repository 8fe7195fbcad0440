-- Uploaded CSVs in the database (blobs/postgres.py), so that every process of a
-- multi-host deployment reads the upload any of them received. One row per upload,
-- its bytes in 1 MiB chunks; deleting the upload deletes its chunks.
CREATE TABLE blobs (
    name TEXT PRIMARY KEY,
    job_id TEXT NOT NULL,
    size BIGINT NOT NULL,
    chunk_size INTEGER NOT NULL
);
CREATE INDEX blobs_job ON blobs (job_id);
CREATE TABLE blob_chunks (
    name TEXT NOT NULL REFERENCES blobs (name) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    data BYTEA NOT NULL,
    PRIMARY KEY (name, seq)
);
-- Stored as is: compressing a MiB of CSV on every write cost more time than the space
-- it saves is worth for a file deleted when its job ends.
ALTER TABLE blob_chunks ALTER COLUMN data SET STORAGE EXTERNAL;
