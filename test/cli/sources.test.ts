import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliTargets, oriole, withCliDatabase } from '../helpers/cli.ts';
import { startFakeZendesk, type FakeZendesk } from '../helpers/fake-zendesk.ts';

/**
 * `oriole sources add|list|sync|remove|rekey` (docs/cli.md, docs/sources.md) on the real
 * binary: a docs site added once is synced in the same command, a page taken down goes at
 * the next sync, and a secret key is rotated without losing a source's token.
 */

const sitePages: Record<string, string> = {
  '/': '<html><head><title>Help</title></head><body><h1>Help</h1><a href="/refunds">Refunds</a> <a href="/shipping">Shipping</a></body></html>',
  '/refunds': '<html><head><title>Refunds</title></head><body><h1>Refunds</h1><p>Refunds are paid within 14 days of the return.</p></body></html>',
  '/shipping': '<html><head><title>Shipping</title></head><body><h1>Shipping</h1><p>Parcels to Norway take 6 business days.</p></body></html>',
};

const oldKey = 'old-secret-key-0123456789abcdefghijklmnop';
const newKey = 'new-secret-key-abcdefghijklmnop0123456789';
const agent = { email: 'content@acme.example', token: 'zd-cli-token-5c8e0a' };

describe.each(cliTargets('oriole_cli_sources'))('oriole sources on $name', { timeout: 240_000 }, (target) => {
  let site: Server;
  let siteUrl: string;
  let zendesk: FakeZendesk;
  let environment: Record<string, string>;
  // Each target serves its own copy: a test takes a page down.
  const pages = { ...sitePages };

  beforeAll(async () => {
    site = createServer((request, response) => {
      const page = pages[request.url ?? ''];
      if (page === undefined) {
        response.writeHead(404).end('not found');
        return;
      }
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}/`;
    zendesk = await startFakeZendesk({
      agent,
      locales: ['en-us'],
      sections: [{ id: 1, names: { 'en-us': 'Billing' } }],
      articles: [{ id: 71, sectionId: 1, translations: { 'en-us': { title: 'Invoices', body: '<p>Invoices are sent on the first of the month.</p>' } } }],
    });
    environment = { ...(await target.setUp()), ORIOLE_EMBEDDER: 'none', ORIOLE_ALLOW_PRIVATE_NETWORK: 'true' };
  }, 120_000);
  afterAll(async () => {
    await new Promise((resolve) => site.close(resolve));
    await zendesk.close();
    await target.tearDown();
  });

  it('adds a docs site and syncs it at once, lists it, drops a page taken down at the next sync, and removes it with its documents', async () => {
    const added = await oriole(['sources', 'add', 'web', 'helpsite', '--set', `url=${siteUrl}`, '--schedule', '6h'], environment, 120_000);
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toContain("Added web source 'helpsite'");
    expect(added.stdout).toContain('3 added, 0 updated, 0 unchanged, 0 deleted, 0 failed');

    const asked = await oriole(['ask', 'How long do parcels to Norway take?', '--json'], environment, 120_000);
    expect(asked.code, asked.stderr).toBe(0);
    expect((JSON.parse(asked.stdout) as { citations: { url: string }[] }).citations[0]!.url).toBe(`${siteUrl}shipping`);

    delete pages['/shipping'];
    const synced = await oriole(['sources', 'sync', 'helpsite'], environment, 120_000);
    expect(synced.code, synced.stderr).toBe(0);
    expect(synced.stdout).toContain('0 added, 0 updated, 2 unchanged, 1 deleted, 0 failed');

    const listed = await oriole(['sources', 'list', '--json'], environment);
    const { sources } = JSON.parse(listed.stdout) as { sources: { name: string; schedule: string; status: string; nextRunAt: string }[] };
    expect(sources).toMatchObject([{ name: 'helpsite', schedule: '6h', status: 'succeeded' }]);

    const removed = await oriole(['sources', 'remove', 'helpsite'], environment);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toContain('and the 2 document(s) it brought in');
    const left = await withCliDatabase(environment, (database) => database.query(`SELECT source FROM documents`));
    expect(left.rows).toEqual([]);
  });

  it('refuses bad input with exit code 2 and stores nothing', async () => {
    const unknownType = await oriole(['sources', 'add', 'ftp', 'x', '--set', 'url=https://a.example'], environment);
    expect(unknownType.code).toBe(2);
    expect(unknownType.stderr).toContain('Unknown source type');
    const noKey = await oriole(['sources', 'add', 'zendesk', 'x', '--set', 'url=https://acme.zendesk.com', '--set', `email=${agent.email}`, '--set', `token=${agent.token}`], environment);
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain('ORIOLE_SECRET_KEY');
    const badJson = await oriole(['sources', 'add', 'web', 'x', '--config', '{url:'], environment);
    expect(badJson.code).toBe(2);
    const missing = await oriole(['sources', 'sync', 'nothing-by-this-name'], environment);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("no source named 'nothing-by-this-name'");
    const stored = await withCliDatabase(environment, (database) => database.query(`SELECT name FROM sources`));
    expect(stored.rows).toEqual([]);
  });

  it("rotates ORIOLE_SECRET_KEY: after rekey the new key alone opens the source's token", async () => {
    const withOld = { ...environment, ORIOLE_SECRET_KEY: oldKey };
    const added = await oriole(
      ['sources', 'add', 'zendesk', 'billing', '--set', `url=${zendesk.url}`, '--set', `email=${agent.email}`, '--set', `token=${agent.token}`],
      withOld,
      120_000,
    );
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toContain('1 added');
    expect(added.stdout + added.stderr).not.toContain(agent.token);

    // Without the key it was sealed with, the sync cannot open the token, and says what to do.
    const withNewOnly = { ...environment, ORIOLE_SECRET_KEY: newKey };
    const refused = await oriole(['sources', 'sync', 'billing'], withNewOnly, 120_000);
    expect(refused.code).toBe(1);
    expect(refused.stdout + refused.stderr).toContain('rekey');

    const rekeyed = await oriole(['sources', 'rekey'], { ...environment, ORIOLE_SECRET_KEY: `${newKey},${oldKey}` });
    expect(rekeyed.code, rekeyed.stderr).toBe(0);
    expect(rekeyed.stdout).toContain('Re-sealed the credentials of 1 source(s)');

    const synced = await oriole(['sources', 'sync', 'billing'], withNewOnly, 120_000);
    expect(synced.code, synced.stderr).toBe(0);
    // An incremental run right after the first: nothing changed, and the token was accepted.
    expect(synced.stdout).toContain('status: succeeded; last run: succeeded incremental sync');
    const refusedOld = await oriole(['sources', 'sync', 'billing'], withOld, 120_000);
    expect(refusedOld.code).toBe(1);
  });
});
