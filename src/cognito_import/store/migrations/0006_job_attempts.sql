-- The tries of a job that raised, kept with the job: every worker, and a worker after a
-- restart, count the same attempts (they were counted in each worker's memory).
ALTER TABLE jobs ADD COLUMN attempts BIGINT NOT NULL DEFAULT 0;
