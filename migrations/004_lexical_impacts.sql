-- Lexical search at 100k+ chunks (docs/lexical-retrieval.md, "Scale"):
--
-- 1. lexical_terms: each term's document frequency per KB, kept by statement
--    triggers on chunk_terms, so a query reads df from one row per term instead of
--    counting a near-universal term's whole posting list.
-- 2. chunk_terms.impact: a posting's BM25 term weight under the default k1 and b and
--    a fixed reference length, with the index (kb_id, term, impact DESC, chunk_id),
--    so a query reads a common term's best postings first and stops after a few
--    thousand. Candidates found that way are rescored exactly, with the KB's true
--    N, avgdl and df.

-- The reference weight of a posting: tf·(k1 + 1) / (tf + k1·(1 − b + b·dl / 100)),
-- k1 1.2, b 0.4 (the defaults of searchLexical). The reference length is fixed so a
-- KB's growing average length never makes stored impacts stale; it only orders a
-- term's postings, and exact scores are computed with the real average.
CREATE FUNCTION lexical_impact(frequency integer, term_count integer) RETURNS real
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN frequency * 2.2 / (frequency + 1.2 * (0.6 + 0.4 * term_count / 100.0));

ALTER TABLE chunk_terms ADD COLUMN impact real;
UPDATE chunk_terms AS p SET impact = lexical_impact(p.frequency, c.term_count) FROM chunks AS c WHERE c.id = p.chunk_id;
ALTER TABLE chunk_terms ALTER COLUMN impact SET NOT NULL;
CREATE INDEX chunk_terms_impact_idx ON chunk_terms (kb_id, term, impact DESC, chunk_id);

-- writeChunkTerms supplies the impact; a posting inserted without one (older tools,
-- hand-written SQL) gets it from its chunk's current length.
CREATE FUNCTION chunk_terms_fill_impact() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.impact := lexical_impact(NEW.frequency, (SELECT term_count FROM chunks WHERE id = NEW.chunk_id));
  RETURN NEW;
END
$$;
CREATE TRIGGER chunk_terms_fill_impact BEFORE INSERT ON chunk_terms
  FOR EACH ROW WHEN (NEW.impact IS NULL) EXECUTE FUNCTION chunk_terms_fill_impact();

CREATE TABLE lexical_terms (
  kb_id bigint NOT NULL REFERENCES knowledge_bases (id) ON DELETE CASCADE,
  term text NOT NULL,
  document_frequency bigint NOT NULL CHECK (document_frequency >= 0),
  PRIMARY KEY (kb_id, term)
);

INSERT INTO lexical_terms (kb_id, term, document_frequency)
SELECT p.kb_id, p.term, count(*)
  FROM chunk_terms AS p
 WHERE EXISTS (SELECT 1 FROM knowledge_bases AS kb WHERE kb.id = p.kb_id)
 GROUP BY p.kb_id, p.term;

-- Every writer of a KB's df rows first locks the KB's lexical_statistics row, which
-- its chunk writes lock anyway (migration 003): writers of one KB queue there, so
-- two transactions never each hold df rows the other needs (no deadlock), and the
-- rows are changed in term order all the same.
CREATE FUNCTION lexical_terms_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM lexical_statistics WHERE kb_id IN (SELECT kb_id FROM added_postings) ORDER BY kb_id FOR UPDATE;
  INSERT INTO lexical_terms AS totals (kb_id, term, document_frequency)
  SELECT kb_id, term, count(*) FROM added_postings GROUP BY kb_id, term ORDER BY kb_id, term
  ON CONFLICT (kb_id, term) DO UPDATE SET document_frequency = totals.document_frequency + excluded.document_frequency;
  RETURN NULL;
END
$$;

-- An UPDATE, not an upsert: when a KB is deleted, its df rows may already be gone.
CREATE FUNCTION lexical_terms_remove() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM lexical_statistics WHERE kb_id IN (SELECT kb_id FROM removed_postings) ORDER BY kb_id FOR UPDATE;
  PERFORM 1 FROM lexical_terms AS totals
    WHERE (totals.kb_id, totals.term) IN (SELECT kb_id, term FROM removed_postings)
    ORDER BY totals.kb_id, totals.term FOR UPDATE;
  UPDATE lexical_terms AS totals SET document_frequency = totals.document_frequency - removed.postings
    FROM (SELECT kb_id, term, count(*) AS postings FROM removed_postings GROUP BY kb_id, term) AS removed
   WHERE totals.kb_id = removed.kb_id AND totals.term = removed.term;
  -- A term no chunk holds any more: its row goes, so df rows never outgrow the postings.
  DELETE FROM lexical_terms AS totals
   WHERE totals.document_frequency = 0 AND (totals.kb_id, totals.term) IN (SELECT kb_id, term FROM removed_postings);
  RETURN NULL;
END
$$;

CREATE FUNCTION lexical_terms_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Only a change of kb_id or term moves a posting between df rows.
  IF NOT EXISTS (
    SELECT 1 FROM (SELECT kb_id, term, chunk_id FROM added_postings
                   EXCEPT ALL SELECT kb_id, term, chunk_id FROM removed_postings) AS moved
  ) THEN
    RETURN NULL;
  END IF;
  RAISE EXCEPTION 'chunk_terms: change a posting''s term or knowledge base by deleting and inserting it';
END
$$;

CREATE TRIGGER chunk_terms_lexical_terms_insert AFTER INSERT ON chunk_terms
  REFERENCING NEW TABLE AS added_postings
  FOR EACH STATEMENT EXECUTE FUNCTION lexical_terms_add();
CREATE TRIGGER chunk_terms_lexical_terms_delete AFTER DELETE ON chunk_terms
  REFERENCING OLD TABLE AS removed_postings
  FOR EACH STATEMENT EXECUTE FUNCTION lexical_terms_remove();
CREATE TRIGGER chunk_terms_lexical_terms_update AFTER UPDATE ON chunk_terms
  REFERENCING OLD TABLE AS removed_postings NEW TABLE AS added_postings
  FOR EACH STATEMENT EXECUTE FUNCTION lexical_terms_change();
