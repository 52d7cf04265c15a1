-- Eval sets stored per knowledge base (POST /eval-sets), so QA teams run a golden set
-- by name (POST /evals {"evalSet"}) instead of sending it each time. Eval runs are not
-- here: they are `jobs` rows of kind 'eval', their report in `jobs.result`.

CREATE TABLE eval_sets (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kb_id bigint NOT NULL REFERENCES knowledge_bases (id) ON DELETE CASCADE,
  name text NOT NULL CHECK (name ~ '^[A-Za-z0-9_.-]{1,100}$'),
  -- The cases as validated by the API (DESIGN.md "Eval sets"), one JSON object each.
  cases jsonb NOT NULL CHECK (jsonb_typeof(cases) = 'array'),
  -- Kept beside the cases so listings need not read every set whole.
  case_count integer NOT NULL CHECK (case_count >= 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (kb_id, name)
);
