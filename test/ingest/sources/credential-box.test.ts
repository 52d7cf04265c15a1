import { Buffer } from 'node:buffer';
import { afterAll, describe, expect, it } from 'vitest';
import { isOrioleError, type OrioleError } from '../../../src/core/index.ts';
import { createCredentialBox, type CredentialBox } from '../../../ingest/sources/credential-box.ts';
import { rekeySources } from '../../../ingest/sources/rekey.ts';
import { createKnowledgeBase, getContentSource, insertContentSource, listSealedCredentials } from '../../../src/db/index.ts';
import { openMigrated, testBackends } from '../../helpers/databases.ts';

const oldKey = 'old-key-0123456789abcdefghijklmnopqrstuvwxyz';
const newKey = 'new-key-9876543210zyxwvutsrqponmlkjihgfedcba';
const token = 'zd-api-token-Sup3rS3cret-0123456789';

/** What `open` threw, or a failure when it opened. */
function openFailure(box: CredentialBox, sealed: Uint8Array): OrioleError {
  try {
    box.open(sealed);
  } catch (error) {
    if (isOrioleError(error)) return error;
    throw error;
  }
  throw new Error('the box opened');
}

/** Whether `needle` occurs in `bytes` as UTF-8, base64 or hex (how a dump might show it). */
function shows(bytes: Uint8Array, needle: string): boolean {
  const buffer = Buffer.from(bytes);
  return (
    buffer.includes(Buffer.from(needle, 'utf8')) ||
    buffer.toString('latin1').includes(needle) ||
    buffer.toString('base64').includes(Buffer.from(needle).toString('base64').slice(0, 16)) ||
    buffer.toString('hex').includes(Buffer.from(needle).toString('hex'))
  );
}

describe('credential box', () => {
  it('opens what it sealed', () => {
    const box = createCredentialBox([newKey]);
    const credentials = { token, email: 'agent@acme.test', note: 'ünïcödé ✓' };
    expect(box.open(box.seal(credentials))).toEqual(credentials);
    expect(box.open(box.seal({}))).toEqual({});
    // Another box built from the same key (another process) opens it too.
    expect(createCredentialBox([newKey]).open(box.seal(credentials))).toEqual(credentials);
  });

  it('opens a box handed over as a view into a larger buffer (as a driver may give bytea)', () => {
    const box = createCredentialBox([newKey]);
    const sealed = box.seal({ token });
    const larger = new Uint8Array(sealed.byteLength + 20);
    larger.set(sealed, 10);
    expect(box.open(larger.subarray(10, 10 + sealed.byteLength))).toEqual({ token });
  });

  it('keeps the token out of the sealed bytes, and seals the same credentials differently each time', () => {
    const box = createCredentialBox([newKey]);
    const first = box.seal({ token });
    const second = box.seal({ token });
    expect(shows(first, token)).toBe(false);
    expect(shows(first, 'token')).toBe(false);
    expect(shows(first, newKey)).toBe(false);
    expect(Buffer.from(first).equals(Buffer.from(second))).toBe(false);
    // The self-check: `shows` finds a token that is there.
    expect(shows(new TextEncoder().encode(`{"token":"${token}"}`), token)).toBe(true);
  });

  it('refuses a box with any byte changed (config_invalid), rather than yielding garbage', () => {
    const box = createCredentialBox([newKey]);
    const sealed = box.seal({ token });
    // Every byte: the format version, the key id, the IV, the tag and the ciphertext.
    for (let index = 0; index < sealed.byteLength; index += 1) {
      const tampered = new Uint8Array(sealed);
      tampered[index] = tampered[index]! ^ 0x01;
      const error = openFailure(box, tampered);
      expect(error.code, `byte ${index}`).toBe('config_invalid');
      expect(error.message, `byte ${index}`).not.toContain(token);
    }
  });

  it('refuses a truncated, extended or empty box (config_invalid)', () => {
    const box = createCredentialBox([newKey]);
    const sealed = box.seal({ token });
    for (const damaged of [sealed.subarray(0, sealed.byteLength - 1), sealed.subarray(0, 20), new Uint8Array(0), new Uint8Array([...sealed, 0])]) {
      expect(openFailure(box, damaged).code).toBe('config_invalid');
    }
  });

  it('with keys [new, old]: opens boxes of either key and seals with the new one', () => {
    const oldBox = createCredentialBox([oldKey]);
    const rotating = createCredentialBox([newKey, oldKey]);
    const newOnly = createCredentialBox([newKey]);

    const sealedOld = oldBox.seal({ token });
    expect(rotating.open(sealedOld)).toEqual({ token });

    const sealedNow = rotating.seal({ token });
    expect(newOnly.open(sealedNow)).toEqual({ token });
    expect(openFailure(oldBox, sealedNow).code).toBe('config_invalid');
    // The order matters: [old, new] seals with the old key.
    expect(oldBox.open(createCredentialBox([oldKey, newKey]).seal({ token }))).toEqual({ token });
  });

  it('refuses a box sealed with a key it no longer lists, saying to add the old key and rekey', () => {
    const sealedOld = createCredentialBox([oldKey]).seal({ token });
    const error = openFailure(createCredentialBox([newKey]), sealedOld);
    expect(error.code).toBe('config_invalid');
    expect(error.message).toContain('rekey');
    expect(error.message).toContain('ORIOLE_SECRET_KEY');
  });

  it('needs a key to be made at all', () => {
    let thrown: unknown;
    try {
      createCredentialBox([]);
    } catch (error) {
      thrown = error;
    }
    expect(isOrioleError(thrown) && thrown.details).toEqual({ variable: 'ORIOLE_SECRET_KEY' });
  });
});

describe.each(testBackends())('rekeySources ($name)', (backend) => {
  afterAll(async () => {
    await backend.cleanup();
  });

  it('re-seals every source with the first key, so the old key alone opens none of them afterwards', async () => {
    const database = await openMigrated(backend);
    const oldBox = createCredentialBox([oldKey]);
    const kb = await createKnowledgeBase(database, { name: 'help', embedder: 'none' });
    const other = await createKnowledgeBase(database, { name: 'other', embedder: 'none' });
    const tokens = ['token-one-aaaaaaaaaaaaaaaa', 'token-two-bbbbbbbbbbbbbbbb', 'token-three-cccccccccccccc'];
    const sealedIds: string[] = [];
    for (const [index, value] of tokens.entries()) {
      const source = await insertContentSource(database, {
        kbId: index === 2 ? other.id : kb.id,
        type: 'zendesk',
        name: `zendesk-${index}`,
        config: { url: `https://acme-${index}.zendesk.com`, email: 'agent@acme.test' },
        credentials: oldBox.seal({ token: value }),
        schedule: '6h',
        nextRunAt: new Date(Date.now() + 3_600_000),
      });
      sealedIds.push(source.id);
    }
    const anonymous = await insertContentSource(database, {
      kbId: kb.id,
      type: 'zendesk',
      name: 'public-help',
      config: { url: 'https://public.zendesk.com' },
      credentials: null,
      schedule: null,
      nextRunAt: null,
    });
    const before = new Map((await listSealedCredentials(database)).map((row) => [row.id, Buffer.from(row.credentials)]));

    const rotating = createCredentialBox([newKey, oldKey]);
    expect(await rekeySources(database, rotating)).toBe(3);

    const newOnly = createCredentialBox([newKey]);
    const after = await listSealedCredentials(database);
    expect(after.map((row) => row.id).sort()).toEqual([...sealedIds].sort());
    for (const row of after) {
      const expected = tokens[sealedIds.indexOf(row.id)];
      expect(Buffer.from(row.credentials).equals(before.get(row.id)!)).toBe(false);
      expect(newOnly.open(row.credentials)).toEqual({ token: expected });
      const refused = openFailure(oldBox, row.credentials);
      expect(refused.code).toBe('config_invalid');
      expect(refused.message).toContain('rekey');
    }
    // A source without credentials stays without; the rest of each source is untouched.
    expect((await getContentSource(database, anonymous.id)).credentials).toBeNull();
    const first = await getContentSource(database, sealedIds[0]!);
    expect(first.config).toEqual({ url: 'https://acme-0.zendesk.com', email: 'agent@acme.test' });
    expect(first.schedule).toBe('6h');

    // Running it again (the old key already dropped) is harmless.
    expect(await rekeySources(database, newOnly)).toBe(3);
    for (const row of await listSealedCredentials(database)) {
      expect(newOnly.open(row.credentials)).toEqual({ token: tokens[sealedIds.indexOf(row.id)] });
    }
  });

  it('refuses to rekey with a box that cannot open a source, naming rekey, and leaves that source as it was', async () => {
    const database = await openMigrated(backend);
    const kb = await createKnowledgeBase(database, { name: 'help', embedder: 'none' });
    const sealed = createCredentialBox([oldKey]).seal({ token });
    const source = await insertContentSource(database, {
      kbId: kb.id,
      type: 'zendesk',
      name: 'zendesk',
      config: { url: 'https://acme.zendesk.com', email: 'agent@acme.test' },
      credentials: sealed,
      schedule: null,
      nextRunAt: null,
    });
    let thrown: unknown;
    try {
      await rekeySources(database, createCredentialBox([newKey]));
    } catch (error) {
      thrown = error;
    }
    expect(isOrioleError(thrown) && thrown.code).toBe('config_invalid');
    expect((thrown as Error).message).toContain('rekey');
    const stored = (await getContentSource(database, source.id)).credentials!;
    expect(Buffer.from(stored).equals(Buffer.from(sealed))).toBe(true);
  });
});
