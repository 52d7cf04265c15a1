-- Rate limits shared by every API process on one PostgreSQL database (docs/limits.md):
-- one token bucket per key, taken from with one statement per request. UNLOGGED: a
-- bucket is worth nothing after a crash (it refills within a minute anyway), so it
-- skips the WAL, and so standbys never see it.
CREATE UNLOGGED TABLE rate_limit_buckets (
  key text PRIMARY KEY,
  tokens double precision NOT NULL,
  updated_at timestamptz NOT NULL,
  -- The rate the bucket was filled at ("perMinute/burst"); a key whose rate changed starts afresh.
  rate text NOT NULL,
  -- Whether the last take was allowed: RETURNING cannot tell a refused take from an allowed one by the tokens alone.
  last_allowed boolean NOT NULL
);
CREATE INDEX rate_limit_buckets_updated_at ON rate_limit_buckets (updated_at);
