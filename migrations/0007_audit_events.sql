-- Audit trail of every write that changes what someone may see or do, written in the same transaction as the write.
-- actor: an API key (with its organisation and role) or a system job; object: its kind and id; digest: a short
-- before/after summary (changed field names and hashes of their values, never whole texts or secrets).
CREATE TABLE audit_events (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  actor_kind text NOT NULL CHECK (actor_kind IN ('key', 'system')),
  actor_key_id uuid,
  actor_org_id uuid,
  actor_role text,
  action text NOT NULL,
  object_kind text NOT NULL,
  object_id text,
  org_id uuid,
  digest jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_events_at_idx ON audit_events (at DESC, id DESC);
CREATE INDEX audit_events_object_idx ON audit_events (object_kind, object_id, at DESC);
CREATE INDEX audit_events_actor_idx ON audit_events (actor_key_id, at DESC);
