-- Matching: a sparse tf-idf vector per catalogue row (exact-vocabulary lexical scoring of the rows that the GIN
-- full-text index finds; an HNSW index on it made every insert ~8x slower, so there is none), suggested matches with
-- their component scores and explanation, and the audit trail of reviews.
ALTER TABLE achievements ADD COLUMN sparse sparsevec(1048576);
ALTER TABLE patents ADD COLUMN sparse sparsevec(1048576);
ALTER TABLE needs ADD COLUMN sparse sparsevec(1048576);

-- Document frequency of each sparse dimension per catalogue (the query's idf), refreshed as the catalogue grows.
CREATE TABLE term_stats (
  catalog text NOT NULL,
  term int NOT NULL,
  df int NOT NULL,
  PRIMARY KEY (catalog, term)
);
CREATE TABLE term_stats_meta (
  catalog text PRIMARY KEY,
  docs int NOT NULL,
  refreshed_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE matches (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  need_id uuid NOT NULL REFERENCES needs (id) ON DELETE CASCADE,
  item_kind text NOT NULL CHECK (item_kind IN ('achievement', 'patent')),
  item_id uuid NOT NULL,
  score double precision NOT NULL,
  components jsonb NOT NULL,
  explanation jsonb NOT NULL,
  state text NOT NULL DEFAULT 'suggested' CHECK (state IN ('suggested', 'confirmed', 'rejected')),
  is_new boolean NOT NULL DEFAULT true,
  run_id text NOT NULL,
  model text,
  prompt_version text,
  input_hash text,
  reviewed_by uuid REFERENCES api_keys (id),
  reviewed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (need_id, item_kind, item_id)
);
CREATE INDEX matches_need_idx ON matches (need_id, score DESC);
CREATE INDEX matches_item_idx ON matches (item_id, score DESC);

-- Every review, with what the reviewer saw; never updated or deleted by the service.
CREATE TABLE match_reviews (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  match_id uuid NOT NULL REFERENCES matches (id) ON DELETE CASCADE,
  reviewer_key_id uuid REFERENCES api_keys (id),
  reviewer_org_id uuid REFERENCES organizations (id),
  decision text NOT NULL CHECK (decision IN ('confirmed', 'rejected')),
  reason_code text,
  note text,
  score double precision NOT NULL,
  explanation jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX match_reviews_match_idx ON match_reviews (match_id, created_at);
