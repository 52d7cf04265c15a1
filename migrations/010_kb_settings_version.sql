-- Per-KB answer settings (docs/kb-settings.md) live in knowledge_bases.settings, which
-- migration 001 created and nothing read until now. Each change to them bumps
-- settings_version, apart from the content `version`: the content version also makes
-- every replica reload its in-process lexical index, which a new persona or abstention
-- text must not cost. Every logged answer records the settings version it was made under.

ALTER TABLE knowledge_bases ADD COLUMN settings_version bigint NOT NULL DEFAULT 0;
ALTER TABLE answers ADD COLUMN settings_version bigint NOT NULL DEFAULT 0;
