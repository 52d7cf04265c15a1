import { listSealedCredentials, updateContentSource, type Database } from '../../src/db/index.ts';
import type { CredentialBox } from './credential-box.ts';

/**
 * Re-seals every source's credentials with the first key of ORIOLE_SECRET_KEY (`oriole
 * sources rekey`), after a new key was put in front of the old one; then the old key can
 * be dropped. Each source is rewritten on its own, so running it twice is harmless.
 */
export async function rekeySources(database: Database, box: CredentialBox): Promise<number> {
  const sealed = await listSealedCredentials(database);
  for (const { id, credentials } of sealed) {
    await updateContentSource(database, id, { credentials: box.seal(box.open(credentials)) });
  }
  return sealed.length;
}
