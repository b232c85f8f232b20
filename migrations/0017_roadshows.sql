-- Roadshow shortlists (路演短名单): a theme, a size and an ordered list of what is presented, suggested by the service
-- and edited by the organiser. kind 'achievements': university teams pitch achievements to enterprises; kind 'reverse'
-- (反向路演): enterprises pitch their published challenge briefs to university teams.
-- status: draft (suggested or edited) -> confirmed (an organiser confirmed this version); any edit makes it a draft again.
CREATE TABLE roadshows (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES organizations (id),
  kind text NOT NULL CHECK (kind IN ('achievements', 'reverse')),
  title text NOT NULL,
  -- {industry, keywords, region, min_maturity}
  theme jsonb NOT NULL,
  size int NOT NULL CHECK (size BETWEEN 1 AND 60),
  per_org_max int NOT NULL CHECK (per_org_max >= 1),
  pitch_minutes int NOT NULL,
  qa_minutes int NOT NULL,
  starts_at timestamptz,
  status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'confirmed')),
  version int NOT NULL DEFAULT 1,
  confirmed_version int,
  confirmed_by uuid,
  confirmed_at timestamptz,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX roadshows_org_idx ON roadshows (org_id, created_at DESC);

-- What the service suggested and what the organiser kept, added or left as an alternate (position NULL).
CREATE TABLE roadshow_entries (
  roadshow_id uuid NOT NULL REFERENCES roadshows (id) ON DELETE CASCADE,
  item_kind text NOT NULL CHECK (item_kind IN ('achievement', 'brief')),
  item_id uuid NOT NULL,
  position int,
  source text NOT NULL CHECK (source IN ('suggested', 'organizer')),
  score real,
  reasons jsonb NOT NULL DEFAULT '[]'::jsonb,
  PRIMARY KEY (roadshow_id, item_kind, item_id)
);
CREATE INDEX roadshow_entries_order_idx ON roadshow_entries (roadshow_id, position);

-- Judges' scores of one entry (a judge is named by the organiser: judges need no key). The result drops the highest
-- and the lowest score once an entry has at least three.
CREATE TABLE roadshow_scores (
  roadshow_id uuid NOT NULL,
  item_kind text NOT NULL,
  item_id uuid NOT NULL,
  judge text NOT NULL,
  score numeric(5, 2) NOT NULL CHECK (score >= 0 AND score <= 100),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (roadshow_id, item_kind, item_id, judge),
  FOREIGN KEY (roadshow_id, item_kind, item_id) REFERENCES roadshow_entries (roadshow_id, item_kind, item_id) ON DELETE CASCADE
);
