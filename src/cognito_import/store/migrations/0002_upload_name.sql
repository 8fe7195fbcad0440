-- Each upload lands under its own file name, recorded with its size in the same
-- compare-and-set that checks the job is still Created: a PUT racing a Start can then
-- never swap the file of a started job. Uploads made before this column existed were
-- stored as <job_id>.csv.
ALTER TABLE jobs ADD COLUMN upload_name TEXT;
UPDATE jobs SET upload_name = job_id || '.csv' WHERE upload_size IS NOT NULL;
