-- Job state for the inline runner (BullMQ keeps its own in Redis), and bulk imports with their rejected rows.
CREATE TABLE jobs (
  id text PRIMARY KEY,
  name text NOT NULL,
  payload jsonb NOT NULL,
  org_id uuid,
  state text NOT NULL DEFAULT 'waiting' CHECK (state IN ('waiting', 'active', 'delayed', 'completed', 'failed')),
  progress jsonb,
  result jsonb,
  attempts_made int NOT NULL DEFAULT 0,
  max_attempts int NOT NULL,
  failed_reason text,
  run_at timestamptz NOT NULL DEFAULT now(),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);
CREATE INDEX jobs_pending_idx ON jobs (run_at) WHERE state IN ('waiting', 'delayed', 'active');

CREATE TABLE imports (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES organizations (id),
  kind text NOT NULL CHECK (kind IN ('achievement', 'patent', 'need')),
  filename text NOT NULL,
  format text NOT NULL CHECK (format IN ('csv', 'xlsx', 'json', 'jsonl')),
  encoding text,
  mapping jsonb NOT NULL DEFAULT '{}',
  file_sha256 text NOT NULL,
  size_bytes int NOT NULL,
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'completed', 'failed')),
  job_id text,
  rows_read int NOT NULL DEFAULT 0,
  rows_inserted int NOT NULL DEFAULT 0,
  rows_updated int NOT NULL DEFAULT 0,
  rows_unchanged int NOT NULL DEFAULT 0,
  rows_rejected int NOT NULL DEFAULT 0,
  error text,
  created_by uuid REFERENCES api_keys (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);
CREATE INDEX imports_org_idx ON imports (org_id, created_at);

-- The uploaded bytes, so a worker in another process can read them; removed when the import finishes.
CREATE TABLE import_files (
  import_id uuid PRIMARY KEY REFERENCES imports (id) ON DELETE CASCADE,
  content bytea NOT NULL
);

CREATE TABLE import_errors (
  import_id uuid NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
  line int NOT NULL,
  field text NOT NULL DEFAULT '',
  reason text NOT NULL,
  raw jsonb,
  PRIMARY KEY (import_id, line, field)
);
