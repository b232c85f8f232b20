-- The layout of a row's sparse vector and postings (models/sparse.ts INDEX_VERSION) is recorded with the row: rows
-- indexed with an older layout are indexed again by a job at start (runtime.ts); a current embedding is kept, not
-- recomputed. Rows written before this column existed have layout 1 (32 postings per document).
ALTER TABLE achievements ADD COLUMN index_version int NOT NULL DEFAULT 1;
ALTER TABLE patents ADD COLUMN index_version int NOT NULL DEFAULT 1;
ALTER TABLE needs ADD COLUMN index_version int NOT NULL DEFAULT 1;
