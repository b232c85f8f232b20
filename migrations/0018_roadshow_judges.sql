-- Judges of a roadshow with their own scoring links (评委评分链接): the organiser names a judge and gets a token shown
-- once; the judge opens the link and scores the confirmed programme under that name. Only the token's SHA-256 is kept.
-- A judge may score nothing but this roadshow's programme, and a revoked link stops working at once.
CREATE TABLE roadshow_judges (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  roadshow_id uuid NOT NULL REFERENCES roadshows (id) ON DELETE CASCADE,
  name text NOT NULL,
  prefix text NOT NULL,
  token_hash text NOT NULL UNIQUE,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);
-- one live link per judge name; a revoked (e.g. leaked) link's name can be given a new one
CREATE UNIQUE INDEX roadshow_judges_live_name ON roadshow_judges (roadshow_id, name) WHERE revoked_at IS NULL;

-- a judge scoring through a link is an actor of its own in the audit trail (no key, not the system)
ALTER TABLE audit_events DROP CONSTRAINT audit_events_actor_kind_check;
ALTER TABLE audit_events ADD CONSTRAINT audit_events_actor_kind_check CHECK (actor_kind IN ('key', 'system', 'judge'));
