-- The sources of each served answer that disagree on the value asked (src/answer/source-conflicts.ts):
-- [{kind, statements: [{value, documentId, source, title, text}]}], for `oriole report` and
-- GET /analytics/summary to list the documents that disagree. Null when none did, and for
-- answers logged before this column existed.
ALTER TABLE answers ADD COLUMN conflicts jsonb;
