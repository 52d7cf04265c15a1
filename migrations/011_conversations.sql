-- Conversations (docs/conversations.md): the server keeps the turns of a chat, so a
-- client sends only its new question with the conversationId the first answer returned.
-- `outcome` follows the last turn (answered/abstained) until the user resolves the
-- conversation or asks for a human (resolved/handed_off).
CREATE TABLE conversations (
  id uuid PRIMARY KEY,
  kb_id bigint NOT NULL REFERENCES knowledge_bases (id) ON DELETE CASCADE,
  outcome text NOT NULL CHECK (outcome IN ('answered', 'abstained', 'handed_off', 'resolved')),
  created_at timestamptz NOT NULL DEFAULT now(),
  -- The last turn or change of outcome; retention (ORIOLE_CONVERSATION_RETENTION_DAYS) counts from it.
  updated_at timestamptz NOT NULL DEFAULT now(),
  resolved_at timestamptz,
  -- Set once, by the first hand-off: the hand-off webhook fires only then.
  handed_off_at timestamptz,
  handoff_reason text
);
CREATE INDEX conversations_kb_created_idx ON conversations (kb_id, created_at, id);
CREATE INDEX conversations_updated_idx ON conversations (updated_at);

-- A turn is a copy of what the user saw, linked to its row of the answers log so that
-- feedback (which rates answers) joins. Deleting a conversation deletes its turns, never
-- the answers log or its feedback, which analytics read.
CREATE TABLE conversation_turns (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  conversation_id uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  answer_id uuid NOT NULL UNIQUE REFERENCES answers (id) ON DELETE CASCADE,
  question text NOT NULL,
  answer text NOT NULL,
  citations jsonb NOT NULL DEFAULT '[]'::jsonb,
  abstained boolean NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX conversation_turns_conversation_idx ON conversation_turns (conversation_id, id);
