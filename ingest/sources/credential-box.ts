import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { OrioleError } from '../../src/core/index.ts';

/**
 * Seals source credentials (API tokens) for storage and opens them for a sync, with
 * AES-256-GCM under a key derived from ORIOLE_SECRET_KEY. A database dump alone then
 * gives no token away, and a tampered box fails to open instead of yielding garbage.
 *
 * ORIOLE_SECRET_KEY may list several keys, comma-separated: the first seals, any of
 * them opens (each box names its key by an 8-byte id). That is how a key is rotated:
 * put the new key first, keep the old one after it, run `oriole sources rekey`, then
 * drop the old key.
 */
export interface CredentialBox {
  seal(credentials: Record<string, string>): Uint8Array;
  open(sealed: Uint8Array): Record<string, string>;
}

const formatVersion = 1;
const keyIdLength = 8;
const ivLength = 12;
const tagLength = 16;

interface DerivedKey {
  id: Buffer;
  key: Buffer;
}

export function createCredentialBox(secretKeys: readonly string[]): CredentialBox {
  if (secretKeys.length === 0) throw missingKey();
  const keys = secretKeys.map(deriveKey);
  const sealing = keys[0]!;
  return {
    seal(credentials) {
      const iv = randomBytes(ivLength);
      const cipher = createCipheriv('aes-256-gcm', sealing.key, iv);
      const body = Buffer.concat([cipher.update(JSON.stringify(credentials), 'utf8'), cipher.final()]);
      return new Uint8Array(Buffer.concat([Buffer.from([formatVersion]), sealing.id, iv, cipher.getAuthTag(), body]));
    },
    open(sealed) {
      const bytes = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
      if (bytes[0] !== formatVersion || bytes.byteLength < 1 + keyIdLength + ivLength + tagLength) throw unreadable();
      const id = bytes.subarray(1, 1 + keyIdLength);
      const key = keys.find((candidate) => candidate.id.equals(id));
      if (!key) {
        throw new OrioleError(
          'config_invalid',
          'A source\'s credentials were sealed with a key ORIOLE_SECRET_KEY no longer lists; add the old key after the new one (comma-separated) and run `oriole sources rekey`',
        );
      }
      const ivStart = 1 + keyIdLength;
      const tagStart = ivStart + ivLength;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key.key, bytes.subarray(ivStart, tagStart));
        decipher.setAuthTag(bytes.subarray(tagStart, tagStart + tagLength));
        const text = Buffer.concat([decipher.update(bytes.subarray(tagStart + tagLength)), decipher.final()]).toString('utf8');
        return JSON.parse(text) as Record<string, string>;
      } catch {
        throw unreadable();
      }
    },
  };
}

/** The refusal when credentials must be stored but no key is configured. */
export function missingKey(): OrioleError {
  return new OrioleError(
    'invalid_request',
    'Storing source credentials needs ORIOLE_SECRET_KEY (generate one with: openssl rand -base64 32); credentials are never stored unencrypted',
    { details: { variable: 'ORIOLE_SECRET_KEY' } },
  );
}

function deriveKey(secret: string): DerivedKey {
  const key = Buffer.from(hkdfSync('sha256', secret, 'oriole', 'source-credentials/v1', 32));
  return { id: createHash('sha256').update(key).digest().subarray(0, keyIdLength), key };
}

function unreadable(): OrioleError {
  return new OrioleError('config_invalid', "A source's stored credentials could not be opened (damaged, or sealed with another key)");
}
