-- Core schema: organisations, users and API keys, and the three catalogues (achievements, patents, needs).
-- {{EMBEDDING_DIM}} is replaced by the configured dimension when the migration runs (recorded in app_settings).
CREATE EXTENSION IF NOT EXISTS vector;

CREATE TABLE app_settings (
  key text PRIMARY KEY,
  value text NOT NULL
);

CREATE TABLE organizations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('platform', 'transfer_center', 'university', 'institute', 'enterprise', 'organizer')),
  region text,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES organizations (id),
  name text NOT NULL,
  email text,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Keys are random; only their SHA-256 is stored. prefix is shown in listings to tell keys apart.
CREATE TABLE api_keys (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES organizations (id),
  user_id uuid REFERENCES users (id),
  name text NOT NULL,
  role text NOT NULL CHECK (role IN ('admin', 'manager', 'enterprise', 'university', 'organizer')),
  prefix text NOT NULL,
  key_hash text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);
CREATE INDEX api_keys_org_idx ON api_keys (org_id);

-- Columns shared by the three catalogues for search:
--   content_hash  hash of the analysed text (title + body...), drives re-analysis and re-embedding
--   record_hash   hash of every stored field: an import of an unchanged row writes nothing
--   tokens        jieba search-mode tokens as a 'simple' tsvector (keyword search)
--   terms         top tf-idf keywords [{term, weight}] (explanations, report labels)
--   embedding     dense vector, with the model that made it and the content hash it was made from

CREATE TABLE achievements (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES organizations (id),
  natural_key text NOT NULL,
  external_id text,
  title text NOT NULL,
  summary text NOT NULL DEFAULT '',
  field text,
  industry text,
  keywords text[] NOT NULL DEFAULT '{}',
  maturity text CHECK (maturity IN ('lab', 'small_pilot', 'pilot', 'industrial')),
  trl smallint CHECK (trl BETWEEN 1 AND 9),
  transfer_modes text[] NOT NULL DEFAULT '{}',
  price_min numeric,
  price_max numeric,
  team text,
  region text,
  patent_numbers text[] NOT NULL DEFAULT '{}',
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('draft', 'active', 'archived')),
  content_hash text NOT NULL,
  record_hash text NOT NULL,
  tokens tsvector,
  terms jsonb NOT NULL DEFAULT '[]',
  embedding vector({{EMBEDDING_DIM}}),
  embedding_model text,
  embedding_hash text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (org_id, natural_key)
);

CREATE TABLE patents (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES organizations (id),
  publication_number text NOT NULL,
  application_number text,
  application_date date,
  publication_date date,
  grant_date date,
  title text NOT NULL,
  abstract text NOT NULL DEFAULT '',
  first_claim text NOT NULL DEFAULT '',
  applicants text[] NOT NULL DEFAULT '{}',
  inventors text[] NOT NULL DEFAULT '{}',
  ipc_main text,
  ipc_codes text[] NOT NULL DEFAULT '{}',
  patent_type text CHECK (patent_type IN ('invention', 'utility_model', 'design')),
  legal_status text CHECK (legal_status IN ('pending', 'valid', 'invalid')),
  region text,
  content_hash text NOT NULL,
  record_hash text NOT NULL,
  tokens tsvector,
  terms jsonb NOT NULL DEFAULT '[]',
  embedding vector({{EMBEDDING_DIM}}),
  embedding_model text,
  embedding_hash text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (org_id, publication_number)
);
CREATE INDEX patents_ipc_idx ON patents USING gin (ipc_codes);

CREATE TABLE needs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES organizations (id),
  natural_key text NOT NULL,
  external_id text,
  title text NOT NULL,
  description text NOT NULL DEFAULT '',
  industry text,
  region text,
  budget_min numeric,
  budget_max numeric,
  deadline date,
  cooperation_modes text[] NOT NULL DEFAULT '{}',
  maturity_min text CHECK (maturity_min IN ('lab', 'small_pilot', 'pilot', 'industrial')),
  indicators jsonb NOT NULL DEFAULT '[]',
  visibility text NOT NULL DEFAULT 'platform' CHECK (visibility IN ('public', 'platform', 'private')),
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('draft', 'open', 'closed')),
  content_hash text NOT NULL,
  record_hash text NOT NULL,
  tokens tsvector,
  terms jsonb NOT NULL DEFAULT '[]',
  embedding vector({{EMBEDDING_DIM}}),
  embedding_model text,
  embedding_hash text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (org_id, natural_key)
);

-- Keyword search (GIN over jieba tokens) and dense search (HNSW, cosine) for each catalogue.
CREATE INDEX achievements_tokens_idx ON achievements USING gin (tokens);
CREATE INDEX patents_tokens_idx ON patents USING gin (tokens);
CREATE INDEX needs_tokens_idx ON needs USING gin (tokens);
CREATE INDEX achievements_embedding_idx ON achievements USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64);
CREATE INDEX patents_embedding_idx ON patents USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64);
CREATE INDEX needs_embedding_idx ON needs USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64);
CREATE INDEX achievements_org_idx ON achievements (org_id, created_at, id);
CREATE INDEX patents_org_idx ON patents (org_id, created_at, id);
CREATE INDEX needs_org_idx ON needs (org_id, created_at, id);
