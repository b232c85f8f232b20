-- Learned re-ranker versions, fitted per platform from managers' reviews (matching/ranker). A version is promoted only
-- when it ranks the reviews held out from its fit better than the ranking in use; matches record the version that
-- scored them (components.ranker).
CREATE TABLE ranker_versions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  platform text NOT NULL DEFAULT 'default',
  version text NOT NULL UNIQUE,
  model jsonb NOT NULL,
  reviews int NOT NULL,
  held_out int NOT NULL,
  auc_base double precision,
  auc_learned double precision,
  promoted boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ranker_versions_platform_idx ON ranker_versions (platform, created_at DESC);
CREATE UNIQUE INDEX ranker_versions_promoted_idx ON ranker_versions (platform) WHERE promoted;
