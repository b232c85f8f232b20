-- The jobs table becomes the transactional outbox of both runners: a job is recorded in the same transaction as the
-- write that needs it. The inline runner runs the rows itself; with Redis a relay hands them to BullMQ (relayed_at)
-- and re-queues recorded work that is not finished but no longer in Redis. `queue` names the queue (BullMQ prefix) a
-- row belongs to, so several deployments or test runs can share one database without running each other's jobs.
ALTER TABLE jobs ADD COLUMN queue text NOT NULL DEFAULT 'tt';
ALTER TABLE jobs ADD COLUMN relayed_at timestamptz;
DROP INDEX IF EXISTS jobs_pending_idx;
CREATE INDEX jobs_pending_idx ON jobs (queue, run_at) WHERE state IN ('waiting', 'delayed', 'active');

-- One row per committed batch of an import, written in the batch's own transaction: a retried or re-queued import
-- skips the batches already written and reports what the import itself wrote (not "unchanged" for its own rows).
CREATE TABLE import_batches (
  import_id uuid NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
  batch int NOT NULL,
  rows_read int NOT NULL,
  rows_inserted int NOT NULL,
  rows_updated int NOT NULL,
  rows_unchanged int NOT NULL,
  rows_rejected int NOT NULL,
  PRIMARY KEY (import_id, batch)
);
