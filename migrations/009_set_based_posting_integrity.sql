-- Postings are written and removed a statement at a time, not a row at a time
-- (docs/ingestion.md, "Speed"). The foreign key chunk_terms.chunk_id → chunks cost a
-- per-row check on every posting inserted (a document has thousands) and, on delete,
-- one cascaded DELETE per chunk, each running the df trigger of migration 004 again.
-- It is replaced by two statement triggers that keep the same guarantees:
--
-- 1. Deleting chunks (a document replaced or deleted, a KB deleted) deletes their
--    postings in one statement, whose df trigger then runs once.
-- 2. Inserting postings whose chunk does not exist, or is of another KB, fails like
--    the foreign key did (SQLSTATE 23503), checked once per statement. Every writer
--    holds its chunks locked before it writes their postings (it inserted them, or
--    updated their term_count), so no concurrent delete can orphan a posting.
--
-- The table, its columns and indexes, and what the statistics mean are unchanged.

ALTER TABLE chunk_terms DROP CONSTRAINT chunk_terms_chunk_id_fkey;

CREATE FUNCTION chunk_terms_delete_with_chunks() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM chunk_terms WHERE chunk_id IN (SELECT id FROM removed_chunks);
  RETURN NULL;
END
$$;

CREATE TRIGGER chunks_delete_postings AFTER DELETE ON chunks
  REFERENCING OLD TABLE AS removed_chunks
  FOR EACH STATEMENT EXECUTE FUNCTION chunk_terms_delete_with_chunks();

CREATE FUNCTION chunk_terms_check_chunks() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (
    SELECT 1 FROM added_postings p
     WHERE NOT EXISTS (SELECT 1 FROM chunks c WHERE c.id = p.chunk_id AND c.kb_id = p.kb_id)
  ) THEN
    RAISE EXCEPTION 'chunk_terms: a posting names a chunk that does not exist in its knowledge base'
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER chunk_terms_check_chunks AFTER INSERT ON chunk_terms
  REFERENCING NEW TABLE AS added_postings
  FOR EACH STATEMENT EXECUTE FUNCTION chunk_terms_check_chunks();

-- Postings that lost their chunk before this migration cannot exist: the foreign key
-- removed them with it. An UPDATE that moves a posting to another chunk is refused by
-- lexical_terms_change (migration 004) unless it keeps kb_id, term and chunk_id.
