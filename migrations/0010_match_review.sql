-- Matching you can review: a calibrated strength per match (the review queue sorts on it), the model's rationale in a
-- column of its own, the catalogue version that a need's last run saw (item changes coalesce into one run per need),
-- and unreviewed suggestions withdrawn in the same transaction as the write that makes an end stop being a candidate.

ALTER TABLE matches ADD COLUMN strength double precision;
ALTER TABLE matches ADD COLUMN model_rationale text;
-- the review queue: unreviewed suggestions across needs, strongest first
CREATE INDEX matches_queue_idx ON matches (strength DESC NULLS LAST, id) WHERE state = 'suggested';
CREATE INDEX match_reviews_at_idx ON match_reviews (created_at DESC, id DESC);
CREATE INDEX match_reviews_reviewer_idx ON match_reviews (reviewer_key_id, created_at DESC);

-- Bumped by every statement that writes achievements or patents (a sequence: no row lock, never rolled back).
-- A need's re-run job id carries the version, and a run records the version it saw, so a run queued for an older
-- version than the need's last run is skipped.
CREATE SEQUENCE catalog_version;
CREATE FUNCTION bump_catalog_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM nextval('catalog_version');
  RETURN NULL;
END
$$;
CREATE TRIGGER achievements_catalog_version AFTER INSERT OR UPDATE OR DELETE ON achievements
  FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_version();
CREATE TRIGGER patents_catalog_version AFTER INSERT OR UPDATE OR DELETE ON patents
  FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_version();

CREATE TABLE need_match_runs (
  need_id uuid PRIMARY KEY REFERENCES needs (id) ON DELETE CASCADE,
  catalog_version bigint NOT NULL,
  run_at timestamptz NOT NULL DEFAULT now()
);

-- Only active achievements, patents that have not lapsed and open needs are candidates. When a row stops being one
-- (or is deleted), its unreviewed suggestions go with it; confirmed and rejected pairs stay (the API then says the
-- item is withdrawn or deleted).
CREATE FUNCTION withdraw_item_suggestions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM matches WHERE item_id = OLD.id AND item_kind = TG_ARGV[0] AND state = 'suggested';
  RETURN NULL;
END
$$;
CREATE FUNCTION withdraw_need_suggestions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM matches WHERE need_id = OLD.id AND state = 'suggested';
  RETURN NULL;
END
$$;
CREATE TRIGGER achievements_withdraw AFTER UPDATE OF status ON achievements
  FOR EACH ROW WHEN (NEW.status IS DISTINCT FROM 'active') EXECUTE FUNCTION withdraw_item_suggestions('achievement');
CREATE TRIGGER achievements_withdraw_deleted AFTER DELETE ON achievements
  FOR EACH ROW EXECUTE FUNCTION withdraw_item_suggestions('achievement');
CREATE TRIGGER patents_withdraw AFTER UPDATE OF legal_status ON patents
  FOR EACH ROW WHEN (NEW.legal_status = 'invalid') EXECUTE FUNCTION withdraw_item_suggestions('patent');
CREATE TRIGGER patents_withdraw_deleted AFTER DELETE ON patents
  FOR EACH ROW EXECUTE FUNCTION withdraw_item_suggestions('patent');
CREATE TRIGGER needs_withdraw AFTER UPDATE OF status ON needs
  FOR EACH ROW WHEN (NEW.status IS DISTINCT FROM 'open') EXECUTE FUNCTION withdraw_need_suggestions();

-- The import report says how many open needs an import re-matched.
ALTER TABLE imports ADD COLUMN needs_rematched int NOT NULL DEFAULT 0;
