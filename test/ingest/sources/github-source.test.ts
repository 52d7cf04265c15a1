import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConnectorDependencies, ListingEnd, SourceDocument, SourceEntry, SyncCursor } from '../../../ingest/sources/connector.ts';
import { createGithubConnector, githubConfigSchema, githubCredentialFields, type GithubConfig } from '../../../ingest/sources/platforms/github-source.ts';
import type { FetchFunction } from '../../../ingest/web/index.ts';
import { startFakeGithub, type FakeGithub, type FakeGithubOptions } from '../../helpers/fake-github.ts';

const token = 'github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz';

const intro = [
  '---',
  'title: Introduction',
  'sidebar_position: 1',
  '---',
  '',
  '# Introduction',
  '',
  'Welcome to the handbook. Café au lait ☕, 你好. ' + 'A line long enough to span several base64 lines. '.repeat(4),
  '',
].join('\n');

const files: Record<string, string> = {
  'README.md': '# The handbook repository\n',
  'blog/post.md': '# A blog post\n',
  'src/index.ts': 'export {};\n',
  'docs/README.md': '# Docs home\n',
  'docs/intro.md': intro,
  'docs/notes.markdown': '# Notes\n\nSome notes.\n',
  'docs/logo.png': 'not really a png',
  'docs/guide/index.md': '# Guide\n',
  'docs/guide/setup.mdx': "import Tabs from '@theme/Tabs';\n\n# Setup\n\n<Tabs>Install it.</Tabs>\n",
  'docs/guide/config.yaml': 'answer: 42\n',
};

const docSources = ['docs/README.md', 'docs/guide/index.md', 'docs/guide/setup.mdx', 'docs/intro.md', 'docs/notes.markdown'].map(key);

let fake: FakeGithub | null = null;

afterEach(async () => {
  await fake?.close();
  fake = null;
});

async function start(options: FakeGithubOptions = {}): Promise<FakeGithub> {
  fake = await startFakeGithub({ token, files, ...options });
  return fake;
}

function key(path: string): string {
  return `github/acme/handbook/${path}`;
}

/** The id git (and so GitHub) gives a file's content. */
function gitBlobSha(text: string): string {
  const content = Buffer.from(text, 'utf8');
  return createHash('sha1')
    .update(Buffer.concat([Buffer.from(`blob ${content.byteLength}\0`), content]))
    .digest('hex');
}

/** A sleep that returns at once and remembers what it was asked to wait. */
function recordingSleep() {
  const waits: number[] = [];
  return { waits, sleep: async (ms: number) => void waits.push(ms) };
}

function connect(
  github: FakeGithub,
  config: Partial<GithubConfig> = {},
  dependencies: Partial<ConnectorDependencies> = {},
): { list: (since?: SyncCursor | null, signal?: AbortSignal) => Promise<{ entries: SourceEntry[]; end: ListingEnd }>; waits: number[] } {
  const { waits, sleep } = recordingSleep();
  const connector = createGithubConnector(
    { repo: 'acme/handbook', path: 'docs', token, apiUrl: github.url, ...config },
    { fetch: globalThis.fetch, sleep, ...dependencies },
  );
  expect(connector.incremental).toBe(true);
  return {
    waits,
    list: async (since = null, signal = new AbortController().signal) => {
      const listing = connector.list({ since, signal });
      const entries: SourceEntry[] = [];
      for (;;) {
        const next = await listing.next();
        if (next.done) return { entries, end: next.value };
        entries.push(next.value);
      }
    },
  };
}

function summary(entries: SourceEntry[]): string[] {
  return entries
    .map((entry) => {
      if (entry.kind === 'document') return `document ${entry.document.source}`;
      if (entry.kind === 'gone') return `gone ${entry.source}`;
      return `failed ${entry.source} (${entry.error.code})`;
    })
    .sort();
}

function documents(entries: SourceEntry[]): Map<string, SourceDocument> {
  return new Map(entries.flatMap((entry) => (entry.kind === 'document' ? [[entry.document.source, entry.document] as const] : [])));
}

function text(document: SourceDocument | undefined): string {
  return new TextDecoder().decode(document?.bytes);
}

/** The paths of the requests made since `from` requests had been recorded. */
function requestsSince(github: FakeGithub, from: number): string[] {
  return github.requests.slice(from).map((request) => request.path);
}

describe('GitHub source: full listing', () => {
  it('lists only the Markdown and MDX files under path, with their bytes as GitHub stores them', async () => {
    const github = await start();
    const { entries, end } = await connect(github).list();

    expect(summary(entries)).toEqual(docSources.map((source) => `document ${source}`));
    const document = documents(entries).get(key('docs/intro.md'))!;
    expect(document).toEqual({
      source: key('docs/intro.md'),
      title: null,
      url: `${github.url}/acme/handbook/blob/main/docs/intro.md`,
      contentType: 'text/markdown',
      bytes: new TextEncoder().encode(intro),
      metadata: { githubPath: 'docs/intro.md', blobSha: gitBlobSha(intro) },
    });
    expect(documents(entries).get(key('docs/guide/setup.mdx'))?.contentType).toBe('text/markdown');
    expect(end).toEqual({ complete: true, cursor: expect.objectContaining({ commit: github.head() }) });

    // The default branch is looked up, resolved to a commit, and the tree read once.
    expect(github.requests.slice(0, 3).map((request) => request.path)).toEqual([
      '/repos/acme/handbook',
      '/repos/acme/handbook/commits/main',
      `/repos/acme/handbook/git/trees/${github.head()}?recursive=1`,
    ]);
    expect(github.count(/\/git\/blobs\//)).toBe(5);
    for (const request of github.requests) {
      expect(request.headers.authorization).toBe(`Bearer ${token}`);
      expect(request.headers['x-github-api-version']).toBe('2022-11-28');
      expect(request.headers.accept).toMatch(/^application\/vnd\.github(\+json|\.sha)$/);
    }
  });

  it('lists the whole repository when no path is given', async () => {
    const github = await start();
    const { entries } = await connect(github, { path: undefined }).list();
    expect(summary(entries)).toEqual([...docSources, key('README.md'), key('blog/post.md')].sort().map((source) => `document ${source}`));
  });

  it('walks the tree folder by folder when GitHub truncates the recursive tree', async () => {
    const github = await start({ maxTreeEntries: 3 });
    const { entries, end } = await connect(github).list();

    expect(summary(entries)).toEqual(docSources.map((source) => `document ${source}`));
    expect(text(documents(entries).get(key('docs/intro.md')))).toBe(intro);
    expect(end.complete).toBe(true);
    expect(github.requests.some((request) => /\/git\/trees\/[0-9a-f]{40}$/.test(request.path))).toBe(true);
  });

  it('builds citation URLs from the docsUrl pattern', async () => {
    const github = await start();
    const byPath = await connect(github, { docsUrl: 'https://docs.acme.com/{path}' }).list();
    const urls = Object.fromEntries([...documents(byPath.entries)].map(([source, document]) => [source, document.url]));
    expect(urls).toEqual({
      [key('docs/README.md')]: 'https://docs.acme.com/',
      [key('docs/guide/index.md')]: 'https://docs.acme.com/guide',
      [key('docs/guide/setup.mdx')]: 'https://docs.acme.com/guide/setup',
      [key('docs/intro.md')]: 'https://docs.acme.com/intro',
      [key('docs/notes.markdown')]: 'https://docs.acme.com/notes',
    });

    const byFile = await connect(github, { docsUrl: 'https://cdn.acme.com/raw/{file}' }).list();
    expect(documents(byFile.entries).get(key('docs/guide/setup.mdx'))?.url).toBe('https://cdn.acme.com/raw/docs/guide/setup.mdx');
  });

  it('links to github.com when the API is api.github.com', async () => {
    const github = await start();
    // The default apiUrl, its requests delivered to the fake.
    const fetch: FetchFunction = (input, init) => globalThis.fetch(String(input).replace('https://api.github.com', github.url), init);
    const { entries } = await connect(github, { apiUrl: undefined }, { fetch }).list();
    expect(documents(entries).get(key('docs/intro.md'))?.url).toBe('https://github.com/acme/handbook/blob/main/docs/intro.md');
  });

  it('links to the Enterprise Server host when the API is under /api/v3', async () => {
    const github = await start({ prefix: '/api/v3' });
    expect(github.url).toMatch(/\/api\/v3$/);
    const { entries } = await connect(github).list();
    const origin = new URL(github.url).origin;
    expect(documents(entries).get(key('docs/intro.md'))?.url).toBe(`${origin}/acme/handbook/blob/main/docs/intro.md`);
  });

  it('lists the configured ref and names it in citation URLs', async () => {
    const github = await start();
    github.createBranch('v2');
    github.commit({ write: { 'docs/v2-only.md': '# New in v2\n' } }, 'v2');
    const { entries, end } = await connect(github, { ref: 'v2' }).list();

    expect(documents(entries).get(key('docs/v2-only.md'))?.url).toBe(`${github.url}/acme/handbook/blob/v2/docs/v2-only.md`);
    expect(end.cursor).toMatchObject({ commit: github.head('v2') });
    expect(github.count(/^\/repos\/acme\/handbook$/)).toBe(0);
  });

  it('refuses an unknown ref as not_found', async () => {
    const github = await start();
    await expect(connect(github, { ref: 'no-such-branch' }).list()).rejects.toMatchObject({ code: 'not_found', message: expect.stringContaining('no-such-branch') });
  });

  it('ends incomplete, deleting nothing, when path is not a folder of the repository', async () => {
    const github = await start();
    const { entries, end } = await connect(github, { path: 'manual' }).list();
    expect(summary(entries)).toEqual([`failed ${github.url}/repos/acme/handbook/git/trees/${github.head()}?recursive=1 (not_found)`]);
    expect(end).toEqual({ complete: false, cursor: null });
  });
});

describe('GitHub source: incremental listing', () => {
  it('yields exactly what a commit added, edited, renamed and removed', async () => {
    const github = await start();
    const first = await connect(github).list();
    const editedIntro = intro.replace('Welcome', 'Welcome back');
    const head = github.commit({
      write: {
        'docs/new.md': '# New page\n',
        'docs/intro.md': editedIntro,
        'docs/diagram.svg': '<svg/>',
        'src/index.ts': 'export const x = 1;\n',
        'blog/post.md': '# An edited blog post\n',
      },
      rename: { 'docs/notes.markdown': 'docs/guide/notes.md', 'docs/guide/index.md': 'archive/guide.md' },
      remove: ['docs/guide/setup.mdx'],
    });
    const before = github.requests.length;

    const { entries, end } = await connect(github).list(first.end.cursor);

    expect(summary(entries)).toEqual(
      [
        `document ${key('docs/guide/notes.md')}`,
        `document ${key('docs/intro.md')}`,
        `document ${key('docs/new.md')}`,
        `gone ${key('docs/guide/index.md')}`,
        `gone ${key('docs/guide/setup.mdx')}`,
        `gone ${key('docs/notes.markdown')}`,
      ].sort(),
    );
    expect(text(documents(entries).get(key('docs/intro.md')))).toBe(editedIntro);
    expect(text(documents(entries).get(key('docs/guide/notes.md')))).toBe(files['docs/notes.markdown']);
    expect(end).toEqual({ complete: true, cursor: expect.objectContaining({ commit: head }) });

    const paths = requestsSince(github, before);
    expect(paths).toContain(`/repos/acme/handbook/compare/${first.end.cursor!.commit as string}...${head}`);
    expect(paths.filter((path) => path.includes('/git/trees/'))).toEqual([]);
    expect(paths.filter((path) => path.includes('/git/blobs/'))).toHaveLength(3);
  });

  it('yields nothing and keeps the cursor when the ref has not moved', async () => {
    const github = await start();
    const first = await connect(github).list();
    const before = github.requests.length;

    const { entries, end } = await connect(github).list(first.end.cursor);

    expect(entries).toEqual([]);
    expect(end).toEqual({ complete: true, cursor: first.end.cursor });
    expect(requestsSince(github, before)).toEqual(['/repos/acme/handbook', '/repos/acme/handbook/commits/main']);
  });

  it('lists everything and resets the cursor when the compare answers 404 (a collected force-push)', async () => {
    const github = await start();
    github.commit({ write: { 'docs/draft.md': '# Draft\n' } });
    const first = await connect(github).list();
    github.forcePush({ write: { 'docs/intro.md': '# Rewritten\n' } }, { forgetOld: true });
    const before = github.requests.length;

    const { entries, end } = await connect(github).list(first.end.cursor);

    expect(summary(entries)).toEqual(docSources.map((source) => `document ${source}`));
    expect(text(documents(entries).get(key('docs/intro.md')))).toBe('# Rewritten\n');
    // Only a full listing the caller asked for deletes docs/draft.md: the next sync must be one.
    expect(end).toEqual({ complete: true, cursor: null });
    expect(requestsSince(github, before).some((path) => path.includes('/compare/'))).toBe(true);
  });

  it('diffs the two trees when the histories diverged, so changes only the old history had are undone', async () => {
    const github = await start();
    github.commit({ write: { 'docs/draft.md': '# Draft\n' } });
    const first = await connect(github).list();
    // The draft commit is replaced: compare's merge-base diff would not mention docs/draft.md at all.
    const head = github.forcePush({ write: { 'docs/intro.md': '# Rewritten\n' } }, { forgetOld: false });

    const { entries, end } = await connect(github).list(first.end.cursor);

    expect(summary(entries)).toEqual([`document ${key('docs/intro.md')}`, `gone ${key('docs/draft.md')}`]);
    expect(end).toEqual({ complete: true, cursor: expect.objectContaining({ commit: head }) });
  });

  it('diffs the two trees when the compare lists 300 files, its cap', async () => {
    const github = await start();
    const first = await connect(github).list();
    const assets = Object.fromEntries(Array.from({ length: 300 }, (_, index) => [`assets/file-${index}.txt`, `asset ${index}\n`]));
    const head = github.commit({ write: { ...assets, 'docs/intro.md': '# Edited among many\n' } });
    const before = github.requests.length;

    const { entries, end } = await connect(github).list(first.end.cursor);

    expect(summary(entries)).toEqual([`document ${key('docs/intro.md')}`]);
    expect(end.cursor).toMatchObject({ commit: head });
    expect(requestsSince(github, before).filter((path) => path.includes('/git/trees/'))).toHaveLength(2);
  });

  it('lists everything when the cursor was taken for another folder', async () => {
    const github = await start();
    const first = await connect(github, { path: 'blog' }).list();
    github.commit({ write: { 'blog/another.md': '# Another\n' } });

    const { entries, end } = await connect(github).list(first.end.cursor);

    expect(summary(entries)).toEqual(docSources.map((source) => `document ${source}`));
    expect(end).toEqual({ complete: true, cursor: null });
  });
});

describe('GitHub source: failures and rate limits', () => {
  it('waits out a 429 with Retry-After and retries', async () => {
    const github = await start();
    github.answerNext(/\/git\/blobs\//, { status: 429, headers: { 'retry-after': '2' }, body: { message: 'Too many requests' } });
    const connection = connect(github);
    const { entries, end } = await connection.list();

    expect(summary(entries)).toEqual(docSources.map((source) => `document ${source}`));
    expect(connection.waits).toEqual([2000]);
    expect(github.count(/\/git\/blobs\//)).toBe(6);
    expect(end.complete).toBe(true);
  });

  it.each([
    ['with Retry-After', { 'retry-after': '3' }, 3000],
    ['with no header, named in the message', {}, 60_000],
  ])('waits out a 403 secondary rate limit %s', async (_, headers, wait) => {
    const github = await start();
    github.answerNext(/\/git\/trees\//, {
      status: 403,
      headers,
      body: { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' },
    });
    const connection = connect(github);
    const { entries } = await connection.list();

    expect(connection.waits).toEqual([wait]);
    expect(summary(entries)).toEqual(docSources.map((source) => `document ${source}`));
  });

  it("waits until x-ratelimit-reset when the primary limit lifts within the transport's longest wait", async () => {
    const github = await start();
    const reset = Math.floor(Date.now() / 1000) + 30;
    github.answerNext(/\/commits\//, {
      status: 403,
      headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) },
      body: { message: 'API rate limit exceeded for user ID 1.' },
    });
    const connection = connect(github);
    const { entries } = await connection.list();

    expect(summary(entries)).toEqual(docSources.map((source) => `document ${source}`));
    expect(connection.waits).toHaveLength(1);
    // Until the reset second, plus one for clock skew.
    expect(connection.waits[0]).toBeGreaterThanOrEqual(29_000);
    expect(connection.waits[0]).toBeLessThanOrEqual(31_000);
  });

  it('fails the run as rate_limited, without waiting, when the primary limit resets in an hour', async () => {
    const github = await start();
    const reset = String(Math.floor(Date.now() / 1000) + 3600);
    const blob = new RegExp(`/git/blobs/${gitBlobSha(files['docs/intro.md']!)}`);
    github.answerNext(blob, {
      status: 403,
      headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset },
      body: { message: 'API rate limit exceeded for user ID 1.' },
    });
    const connection = connect(github);

    await expect(connection.list()).rejects.toMatchObject({ code: 'rate_limited' });
    expect(connection.waits).toEqual([]);
    // Nothing more is asked of GitHub once it says stop.
    expect(github.requests.at(-1)?.path).toMatch(blob);
  });

  it('refuses a wrong token as forbidden at the first request', async () => {
    const github = await start();
    await expect(connect(github, { token: 'wrong-token' }).list()).rejects.toMatchObject({ code: 'forbidden' });
    expect(github.requests).toHaveLength(1);
  });

  it('reports a private repository read without a token as not found', async () => {
    const github = await start();
    await expect(connect(github, { token: undefined }).list()).rejects.toMatchObject({
      code: 'not_found',
      message: expect.stringContaining('acme/handbook'),
    });
  });

  it('yields a failed entry for a blob that keeps failing, lists the rest, and clears the cursor', async () => {
    const github = await start();
    const blob = new RegExp(`/git/blobs/${gitBlobSha(files['docs/intro.md']!)}`);
    github.answerNext(blob, { status: 500 }, { status: 500 });
    const { entries, end } = await connect(github, {}, { maxRetries: 1 }).list();

    expect(summary(entries)).toEqual(
      docSources.map((source) => (source === key('docs/intro.md') ? `failed ${source} (upstream_unavailable)` : `document ${source}`)).sort(),
    );
    // Complete, so nothing unlisted survives, but the next sync lists everything again to read the failed file.
    expect(end).toEqual({ complete: true, cursor: null });
  });

  it('keeps the cursor when a changed blob cannot be read, so the next compare includes it again', async () => {
    const github = await start();
    const first = await connect(github).list();
    github.commit({ write: { 'docs/new.md': '# New page\n' }, remove: ['docs/notes.markdown'] });
    github.answerNext(new RegExp(`/git/blobs/${gitBlobSha('# New page\n')}`), { status: 503 }, { status: 503 });

    const { entries, end } = await connect(github, {}, { maxRetries: 1 }).list(first.end.cursor);

    expect(summary(entries)).toEqual([`failed ${key('docs/new.md')} (upstream_unavailable)`, `gone ${key('docs/notes.markdown')}`]);
    expect(end).toEqual({ complete: false, cursor: first.end.cursor });
  });

  it('ends a full listing incomplete when the tree cannot be read', async () => {
    const github = await start();
    github.answerNext(/\/git\/trees\//, { status: 502 });
    const { entries, end } = await connect(github, {}, { maxRetries: 0 }).list();

    expect(summary(entries)).toEqual([`failed ${github.url}/repos/acme/handbook/git/trees/${github.head()}?recursive=1 (upstream_unavailable)`]);
    expect(end).toEqual({ complete: false, cursor: null });
  });

  it('ends an incremental listing incomplete, keeping the cursor, when the compare cannot be read', async () => {
    const github = await start();
    const first = await connect(github).list();
    const head = github.commit({ write: { 'docs/new.md': '# New page\n' } });
    github.answerNext(/\/compare\//, { status: 500 });

    const { entries, end } = await connect(github, {}, { maxRetries: 0 }).list(first.end.cursor);

    const base = first.end.cursor!.commit as string;
    expect(summary(entries)).toEqual([`failed ${github.url}/repos/acme/handbook/compare/${base}...${head} (upstream_unavailable)`]);
    expect(end).toEqual({ complete: false, cursor: first.end.cursor });
  });

  it('stops when the signal is aborted', async () => {
    const github = await start();
    const controller = new AbortController();
    const { waits, sleep } = recordingSleep();
    const listing = createGithubConnector({ repo: 'acme/handbook', path: 'docs', token, apiUrl: github.url }, { fetch: globalThis.fetch, sleep }).list({
      since: null,
      signal: controller.signal,
    });
    expect((await listing.next()).value).toMatchObject({ kind: 'document' });
    controller.abort();
    const blobsBefore = github.count(/\/git\/blobs\//);

    await expect(listing.next()).rejects.toMatchObject({ code: 'upstream_unavailable' });
    expect(github.count(/\/git\/blobs\//)).toBe(blobsBefore);
    expect(waits).toEqual([]);
  });
});

describe('GitHub source: config', () => {
  it('accepts a full config and names the token as its credential', () => {
    const config = {
      repo: 'acme/handbook.docs',
      ref: 'release/v2',
      path: 'docs/en',
      token,
      docsUrl: 'https://docs.acme.com/{path}',
      apiUrl: 'https://ghe.acme.com/api/v3',
    };
    expect(githubConfigSchema.parse(config)).toEqual(config);
    expect(githubCredentialFields).toEqual(['token']);
  });

  it.each([
    ['a repo without a slash', { repo: 'handbook' }],
    ['a repo with two slashes', { repo: 'acme/handbook/docs' }],
    ['a repo named ..', { repo: 'acme/..' }],
    ['an unknown field', { repo: 'acme/handbook', branch: 'main' }],
    ['a ref that climbs out of the URL', { repo: 'acme/handbook', ref: '../../user' }],
    ['a path with ..', { repo: 'acme/handbook', path: 'docs/../secrets' }],
    ['a docsUrl without {path} or {file}', { repo: 'acme/handbook', docsUrl: 'https://docs.acme.com/' }],
    ['an apiUrl that is not http(s)', { repo: 'acme/handbook', apiUrl: 'ftp://ghe.acme.com/api/v3' }],
  ])('refuses %s', (_, config) => {
    expect(githubConfigSchema.safeParse(config).success).toBe(false);
  });

  it('refuses an invalid config when the connector is created', () => {
    expect(() => createGithubConnector({ repo: 'handbook' }, { fetch: globalThis.fetch })).toThrow(expect.objectContaining({ code: 'invalid_request' }));
  });
});
