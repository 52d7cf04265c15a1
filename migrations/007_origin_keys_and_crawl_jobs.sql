-- Keys safe to put in a web page (docs/auth.md, "Widget keys"): a key may list the
-- browser origins it is accepted from, and carry its own rate limit.
-- An empty origins array: an ordinary key, accepted from anywhere.
ALTER TABLE api_keys ADD COLUMN origins text[] NOT NULL DEFAULT '{}';
-- Requests a minute for this key; NULL: the server's ORIOLE_RATE_LIMIT_PER_MINUTE.
ALTER TABLE api_keys ADD COLUMN rate_per_minute integer CHECK (rate_per_minute > 0);

-- A crawl queued through POST /documents { url } is a job of its own kind: its pages
-- are found while it runs, so it has no job_items up front.
ALTER TABLE jobs DROP CONSTRAINT jobs_kind_check;
ALTER TABLE jobs ADD CONSTRAINT jobs_kind_check CHECK (kind IN ('ingest', 'eval', 'crawl'));
