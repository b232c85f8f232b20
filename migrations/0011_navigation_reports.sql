-- Patent-navigation reports (专利导航): a stored scope, the job that builds it (status, progress), the computed report
-- (JSON, rendered to Markdown/HTML on read) and its written summary, a draft until a manager confirms it.
-- caller: who ordered it (role, organisation); the build runs with that caller's visibility, so an enterprise's
-- report contains only what that enterprise may see.
CREATE TABLE navigation_reports (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES organizations (id),
  caller jsonb NOT NULL,
  title text NOT NULL,
  scope jsonb NOT NULL,
  need_id uuid REFERENCES needs (id) ON DELETE SET NULL,
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'completed', 'failed')),
  progress jsonb NOT NULL DEFAULT '{}'::jsonb,
  error text,
  build integer NOT NULL DEFAULT 1,
  job_id text,
  report jsonb,
  summary jsonb,
  summary_state text NOT NULL DEFAULT 'draft' CHECK (summary_state IN ('draft', 'confirmed')),
  confirmed_by uuid,
  confirmed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  completed_at timestamptz
);
CREATE INDEX navigation_reports_org_idx ON navigation_reports (org_id, created_at DESC, id DESC);
CREATE INDEX navigation_reports_created_idx ON navigation_reports (created_at DESC, id DESC);
