import { notFound, type KbSettings } from '../core/index.ts';
import type { Database } from './database.ts';

/** A KB's answer settings and the version they are at (0: never set). */
export interface StoredKbSettings {
  kb: string;
  settings: KbSettings;
  version: number;
}

/**
 * Replaces a KB's settings with `change(current)` and bumps their version, in one
 * transaction holding the KB's row, so two concurrent PATCHes cannot lose each other's
 * fields. The content `version` is left alone (migration 010 says why). `change` may
 * throw (a merged value that fails validation): nothing is written then.
 */
export async function updateKbSettings(
  database: Database,
  name: string,
  change: (current: KbSettings) => KbSettings,
): Promise<StoredKbSettings> {
  return database.transaction(async (transaction) => {
    const current = await transaction.query<{ settings: KbSettings }>(
      'SELECT settings FROM knowledge_bases WHERE name = $1 FOR UPDATE',
      [name],
    );
    if (!current.rows[0]) throw notFound('kb', name);
    const next = change(current.rows[0].settings);
    const updated = await transaction.query<{ settings: KbSettings; settings_version: string }>(
      `UPDATE knowledge_bases SET settings = $2, settings_version = settings_version + 1, updated_at = now()
        WHERE name = $1 RETURNING settings, settings_version`,
      [name, JSON.stringify(next)],
    );
    const row = updated.rows[0]!;
    return { kb: name, settings: row.settings, version: Number(row.settings_version) };
  });
}
