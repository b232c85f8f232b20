-- An import's re-match of open needs runs once the imported rows are indexed (a job of its own): until then the
-- report's count is unknown (NULL).
ALTER TABLE imports ALTER COLUMN needs_rematched DROP NOT NULL;
