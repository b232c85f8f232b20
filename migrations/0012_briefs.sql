-- Challenge briefs (企业出题榜单): one row per brief with its current version, and every version kept.
-- status: drafting -> draft -> edited -> confirmed -> published (failed when drafting failed);
-- stage (only once published): published -> awaiting -> in_progress -> acceptance -> closed (已发布 -> 待揭榜 -> 攻关中 -> 验收中 -> 已结束).
CREATE TABLE briefs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  need_id uuid NOT NULL REFERENCES needs (id) ON DELETE CASCADE,
  org_id uuid NOT NULL REFERENCES organizations (id),
  status text NOT NULL DEFAULT 'drafting' CHECK (status IN ('drafting', 'draft', 'edited', 'confirmed', 'published', 'failed')),
  stage text CHECK (stage IN ('published', 'awaiting', 'in_progress', 'acceptance', 'closed')),
  version int NOT NULL DEFAULT 0,
  writer text NOT NULL DEFAULT 'auto' CHECK (writer IN ('auto', 'template', 'model')),
  -- what the draft was made from: the need's content hash when it was requested
  need_hash text NOT NULL,
  job_id text NOT NULL,
  failure text,
  requested_by uuid,
  confirmed_version int,
  confirmed_by uuid,
  confirmed_at timestamptz,
  published_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX briefs_need_idx ON briefs (need_id, created_at DESC);
CREATE INDEX briefs_org_idx ON briefs (org_id, created_at DESC);

CREATE TABLE brief_versions (
  brief_id uuid NOT NULL REFERENCES briefs (id) ON DELETE CASCADE,
  version int NOT NULL,
  content jsonb NOT NULL,
  clarity jsonb NOT NULL,
  -- who wrote it: 'template' or 'model' (machine drafts), 'person' (an edit)
  writer text NOT NULL CHECK (writer IN ('template', 'model', 'person')),
  model text,
  prompt_version text,
  input_hash text,
  -- facts about how a machine draft was made (fallbacks, repaired output, targets marked 待确认), never whole texts
  notes jsonb NOT NULL DEFAULT '{}'::jsonb,
  author_key_id uuid,
  author_role text,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (brief_id, version)
);
