/** A rule for a name users choose, with the words every error message uses for it. */
export interface NameRule {
  pattern: RegExp;
  /** What the pattern allows, in words: "1-64 letters, digits, …". */
  description: string;
}

/**
 * Knowledge-base names: checked by the HTTP schemas, the config (ORIOLE_DEFAULT_KB) and
 * storage. The CHECK constraint of migrations/001_initial_schema.sql holds the same
 * pattern as the database's last line of defence; a migration cannot import it.
 */
export const knowledgeBaseName: NameRule = {
  pattern: /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/,
  description: "1-64 letters, digits, '.', '_' or '-', starting with a letter or digit",
};

/** Eval-set names; migrations/005_eval_sets.sql checks the same pattern. */
export const evalSetName: NameRule = {
  pattern: /^[A-Za-z0-9_.-]{1,100}$/,
  description: "1-100 letters, digits, '_', '.' or '-'",
};
