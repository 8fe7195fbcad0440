-- At most one job running per account, whichever worker on whichever host runs it: the
-- database refuses a second, so workers can claim side by side (FOR UPDATE SKIP LOCKED)
-- instead of one at a time. A job reaches Stopping only from InProgress.
CREATE UNIQUE INDEX jobs_one_running ON jobs (account) WHERE status IN ('InProgress', 'Stopping');
