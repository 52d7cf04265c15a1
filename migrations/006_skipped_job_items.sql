-- A document with no text to index (an empty file) is skipped, not failed: its job
-- item succeeds with the outcome 'skipped' and says why, and the job still succeeds.

ALTER TABLE job_items DROP CONSTRAINT job_items_outcome_check;
ALTER TABLE job_items ADD CONSTRAINT job_items_outcome_check
  CHECK (outcome IN ('added', 'updated', 'unchanged', 'skipped'));
ALTER TABLE job_items ADD COLUMN reason text;
