-- Inverted index of the sparse stage: each catalogue row is posted under its most telling words (see models/sparse.ts),
-- with its weight for that word. Ordered by (term, weight desc), a query reads only the heaviest few hundred postings of
-- each of its words instead of scoring every row that shares a common word with it.
-- Rows are written and deleted with their catalogue row by the store (no foreign key: a check per posting would double
-- the cost of bulk writes).
CREATE TABLE achievements_postings (term int NOT NULL, w real NOT NULL, id uuid NOT NULL);
CREATE TABLE patents_postings (term int NOT NULL, w real NOT NULL, id uuid NOT NULL);
CREATE TABLE needs_postings (term int NOT NULL, w real NOT NULL, id uuid NOT NULL);
CREATE INDEX achievements_postings_term_idx ON achievements_postings (term, w DESC, id);
CREATE INDEX patents_postings_term_idx ON patents_postings (term, w DESC, id);
CREATE INDEX needs_postings_term_idx ON needs_postings (term, w DESC, id);
CREATE INDEX achievements_postings_id_idx ON achievements_postings (id);
CREATE INDEX patents_postings_id_idx ON patents_postings (id);
CREATE INDEX needs_postings_id_idx ON needs_postings (id);

-- Rows indexed before this migration have no postings: mark them stale so they are indexed again (see runtime.ts).
UPDATE achievements SET embedding_hash = NULL WHERE sparse IS NOT NULL;
UPDATE patents SET embedding_hash = NULL WHERE sparse IS NOT NULL;
UPDATE needs SET embedding_hash = NULL WHERE sparse IS NOT NULL;
