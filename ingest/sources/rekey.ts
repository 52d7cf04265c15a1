import { listSealedCredentials, replaceSealedCredentials, type Database } from '../../src/db/index.ts';
import type { CredentialBox } from './credential-box.ts';

/**
 * Re-seals every source's credentials with the first key of ORIOLE_SECRET_KEY (`oriole
 * sources rekey`), after a new key was put in front of the old one; then the old key can
 * be dropped. Each source is rewritten on its own, so running it twice is harmless; one
 * whose credentials changed while it ran was sealed with the new key already.
 */
export async function rekeySources(database: Database, box: CredentialBox): Promise<number> {
  const sealed = await listSealedCredentials(database);
  for (const { id, credentials } of sealed) {
    // Written only over the box it read: a token changed meanwhile (PATCH) is not undone.
    await replaceSealedCredentials(database, { id, from: credentials, to: box.seal(box.open(credentials)) });
  }
  return sealed.length;
}
