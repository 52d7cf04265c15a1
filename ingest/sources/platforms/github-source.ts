import { z } from 'zod';
import { OrioleError } from '../../../src/core/index.ts';
import { contentTypes } from '../../loaders/index.ts';
import type { FetchFunction } from '../../web/index.ts';
import type { ConnectorDependencies, ListingEnd, ListingRequest, SourceConnector, SourceDocument, SourceEntry, SyncCursor } from '../connector.ts';
import { createSourceHttp } from './source-http.ts';
import type { SourceHttp } from './source-http.ts';

/** A token: printable ASCII without spaces, so it cannot break a header. */
const tokenSchema = z.string().regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces').max(4096);

export const githubConfigSchema = z
  .object({
    /** `owner/name`, as in the repository's github.com URL. */
    repo: z
      .string()
      .regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/(?!\.\.?$)[A-Za-z0-9._-]{1,100}$/, 'must be owner/name, e.g. acme/handbook'),
    /** A branch, tag or commit sha; the repository's default branch when absent. */
    ref: z
      .string()
      .min(1)
      .max(255)
      .regex(/^[^\s~^:?*[\\]+$/, 'must be a branch, tag or commit sha')
      .refine((ref) => !ref.split('/').some((segment) => segment === '' || segment === '.' || segment === '..'), 'must be a branch, tag or commit sha')
      .optional(),
    /** The folder whose Markdown files are listed (subfolders included); the whole repository when absent. */
    path: z
      .string()
      .max(1024)
      .refine((path) => !path.split('/').some((segment) => segment === '.' || segment === '..'), "must not contain '.' or '..' segments")
      .optional(),
    token: tokenSchema.optional(),
    /**
     * Where citations link, e.g. `https://docs.acme.com/{path}`: `{path}` is the file's path
     * under `path` without its extension (a trailing `index` or `README` dropped), `{file}`
     * the file's full path in the repository. The file on github.com when absent.
     */
    docsUrl: z
      .string()
      .max(2048)
      .regex(/^https?:\/\/[^\s]+$/, 'must be an http(s) URL')
      .refine((url) => url.includes('{path}') || url.includes('{file}'), 'must contain {path} or {file}')
      .optional(),
    /** The REST API base: https://api.github.com, or GitHub Enterprise Server's https://HOST/api/v3. */
    apiUrl: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).optional(),
  })
  .strict();

export type GithubConfig = z.infer<typeof githubConfigSchema>;

/** Config fields that are secrets: stored encrypted, never echoed back. */
export const githubCredentialFields = ['token'] as const;

const defaultGithubApiUrl = 'https://api.github.com';

/** The REST API version whose shapes this connector reads; sent on every request. */
const githubApiVersion = '2022-11-28';

/** The compare endpoint lists at most this many files; a comparison that reaches it may have left changes out. */
const compareFileCap = 300;

/** How much of a 403 body is read to tell a secondary rate limit from a refusal. */
const refusalSniffBytes = 64 * 1024;

/** GitHub's advice when a secondary rate limit gives no Retry-After: wait at least a minute. */
const secondaryLimitWaitSeconds = 60;

const documentExtension = /\.(?:md|mdx|markdown)$/i;
const symlinkMode = '120000';
const commitSha = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

const repositorySchema = z.object({ default_branch: z.string().min(1) });

/** Object ids go into request URLs: only hex is taken. */
const objectSha = z.string().regex(/^[0-9a-f]{40,64}$/);

const treeSchema = z.object({
  sha: objectSha,
  truncated: z.boolean().optional(),
  tree: z.array(z.object({ path: z.string(), mode: z.string(), type: z.string(), sha: objectSha })),
});
type Tree = z.infer<typeof treeSchema>;

const blobSchema = z.object({ content: z.string(), encoding: z.string(), size: z.number().optional() });

const comparisonSchema = z.object({
  status: z.string(),
  files: z
    .array(
      z.object({
        filename: z.string(),
        status: z.string(),
        sha: objectSha.nullish().catch(null),
        previous_filename: z.string().nullish(),
      }),
    )
    .optional(),
});
type Comparison = z.infer<typeof comparisonSchema>;

/** A Markdown file at one commit: its repository path and blob. */
interface RepoFile {
  path: string;
  blobSha: string;
}

/**
 * What one listing fetches and tombstones. `everything`: a full listing (every document
 * file at the head commit); otherwise the changes since the cursor's commit.
 */
interface ListingPlan {
  kind: 'everything' | 'changes';
  files: RepoFile[];
  gone: string[];
}

interface Settings {
  owner: string;
  name: string;
  /** The configured ref, or null to follow the default branch. */
  ref: string | null;
  /** The listed folder without leading or trailing slashes; '' is the repository root. */
  folder: string;
  apiBase: string;
  webBase: string;
  docsUrl: string | null;
  headers: Record<string, string>;
  /** Written into cursors: a cursor taken for another repository or folder is not trusted. */
  scope: string;
}

interface Head {
  sha: string;
  /** What citation URLs name: the configured ref or the default branch, so URLs survive new commits. */
  refName: string;
}

/**
 * A GitHub repository's Markdown documentation (`.md`, `.mdx`, `.markdown` files under
 * `path`) as a source, through the REST API:
 *
 * - each listing resolves the ref to a commit (`GET /repos/{o}/{r}/commits/{ref}` with the
 *   `sha` media type; the default branch comes from `GET /repos/{o}/{r}`);
 * - a full listing reads the commit's recursive tree (walking subtrees one by one when
 *   GitHub truncates it) and fetches every document file's blob;
 * - an incremental listing compares the cursor's commit with the new one
 *   (`GET /repos/{o}/{r}/compare/{base}...{head}`) and fetches only added, modified and
 *   renamed files; removed files and the old names of renamed ones are reported gone.
 *   The compare endpoint diffs against the merge base and lists at most 300 files, so a
 *   comparison that is not plainly `ahead` (a force-push, a ref moved back) or reaches
 *   300 files is replaced by a diff of the two commits' trees. When the cursor's commit
 *   is unknown to GitHub (a force-push it has collected), every file is listed and the
 *   cursor is reset, so the next sync is a full listing that deletes what the push removed.
 *
 * Rate limits: GitHub signals them with 403 as well as 429. A 403/429 carrying
 * `Retry-After`, or `x-ratelimit-remaining: 0` (then waiting until `x-ratelimit-reset`), or
 * a 403 whose body names a secondary rate limit (then waiting a minute, GitHub's advice),
 * is handed to the transport as a 429 with that wait: it is waited out when short
 * (source-http's `maxRetryAfterMs`), and otherwise the run fails at once as
 * `rate_limited` — a longer wait belongs to the next scheduled sync, and further requests
 * while limited risk GitHub blocking the token. Any other 401/403 is `forbidden`.
 *
 * A blob that cannot be read becomes a `failed` entry and the listing goes on. A tree or
 * compare request that fails ends the listing incomplete (nothing deleted, cursor kept).
 * Resolving the ref is the first request: its failure, like a rate limit anywhere, is thrown.
 */
export function createGithubConnector(config: GithubConfig, dependencies: ConnectorDependencies): SourceConnector {
  const settings = resolveSettings(config);
  const http = createSourceHttp({ ...dependencies, fetch: withGithubRateLimits(dependencies.fetch) });
  return {
    incremental: true,
    list: (request) => new GithubListing(settings, http, request).run(),
  };
}

function resolveSettings(config: GithubConfig): Settings {
  const checked = githubConfigSchema.safeParse(config);
  if (!checked.success) {
    const issue = checked.error.issues[0]!;
    throw new OrioleError('invalid_request', `Invalid GitHub source: ${[...issue.path.map(String), issue.message].join(': ')}`, {
      details: { field: issue.path.map(String).join('.') },
    });
  }
  const [owner, name] = config.repo.split('/') as [string, string];
  const folder = (config.path ?? '').replace(/^\/+|\/+$/g, '');
  const apiBase = (config.apiUrl ?? defaultGithubApiUrl).replace(/\/+$/, '');
  const headers: Record<string, string> = { accept: 'application/vnd.github+json', 'x-github-api-version': githubApiVersion };
  if (config.token !== undefined) headers.authorization = `Bearer ${config.token}`;
  return {
    owner,
    name,
    ref: config.ref ?? null,
    folder,
    apiBase,
    webBase: webBaseOf(apiBase),
    docsUrl: config.docsUrl ?? null,
    headers,
    scope: `${owner}/${name}/${folder}`,
  };
}

/**
 * The web host that goes with an API base: api.github.com → github.com (and
 * api.X.ghe.com → X.ghe.com); GitHub Enterprise Server serves both from one host, the API under /api/v3.
 */
function webBaseOf(apiBase: string): string {
  const url = new URL(apiBase);
  if (url.hostname.startsWith('api.')) url.hostname = url.hostname.slice('api.'.length);
  return url.origin;
}

class GithubListing {
  private readonly repoApi: string;

  constructor(
    private readonly settings: Settings,
    private readonly http: SourceHttp,
    private readonly request: ListingRequest,
  ) {
    this.repoApi = `${settings.apiBase}/repos/${encodeURIComponent(settings.owner)}/${encodeURIComponent(settings.name)}`;
  }

  async *run(): AsyncGenerator<SourceEntry, ListingEnd> {
    const since = this.request.since;
    const head = await this.resolveHead();
    const previous = this.previousCommit();
    if (previous !== null && previous === head.sha) return { complete: true, cursor: since };

    let plan: ListingPlan;
    try {
      plan = previous === null ? await this.everything(head.sha) : await this.changesSince(previous, head.sha);
    } catch (error) {
      const failure = this.nonFatal(error);
      yield { kind: 'failed', source: urlOf(failure) ?? this.repoApi, error: failure };
      return { complete: false, cursor: since };
    }

    const fetching = new Set(plan.files.map((file) => file.path));
    // A path both renamed away and written again (a swap) is a document, not a tombstone.
    for (const path of plan.gone) if (!fetching.has(path)) yield { kind: 'gone', source: this.sourceKey(path) };
    let retryLater = false;
    for (const file of plan.files) {
      const entry = await this.read(file, head);
      if (entry.kind === 'failed' && entry.error.code === 'upstream_unavailable') retryLater = true;
      yield entry;
    }
    return this.end(plan, head.sha, retryLater);
  }

  /**
   * How the listing ended. A blob that may read next time (a timeout, a 5xx) keeps an
   * incremental cursor where it was, so the next compare includes the file again, and
   * clears a full listing's, so the next sync lists everything again. A full listing the
   * caller did not ask for (it passed a cursor) also clears it: only a full listing the
   * caller asked for deletes what is no longer listed.
   */
  private end(plan: ListingPlan, sha: string, retryLater: boolean): ListingEnd {
    const since = this.request.since;
    if (plan.kind === 'changes') return retryLater ? { complete: false, cursor: since } : { complete: true, cursor: this.cursorAt(sha) };
    return { complete: true, cursor: retryLater || since !== null ? null : this.cursorAt(sha) };
  }

  private cursorAt(sha: string): SyncCursor {
    return { commit: sha, scope: this.settings.scope };
  }

  /** The cursor's commit, or null for a full listing: no cursor, or one taken for another repository or folder. */
  private previousCommit(): string | null {
    const since = this.request.since;
    if (since === null || since.scope !== this.settings.scope) return null;
    return typeof since.commit === 'string' && commitSha.test(since.commit) ? since.commit : null;
  }

  private async resolveHead(): Promise<Head> {
    const refName = this.settings.ref ?? (await this.defaultBranch());
    const url = `${this.repoApi}/commits/${encodePath(refName)}`;
    let text: string;
    try {
      const response = await this.http.get(url, this.requestOptions({ accept: 'application/vnd.github.sha' }));
      text = new TextDecoder().decode(response.bytes).trim();
    } catch (error) {
      // GitHub answers 422 "No commit found for SHA" for an unknown branch, tag or sha.
      if (error instanceof OrioleError && (error.code === 'not_found' || error.code === 'invalid_request')) {
        const repo = `${this.settings.owner}/${this.settings.name}`;
        throw new OrioleError('not_found', `GitHub found no commit '${refName}' in ${repo}; check the repository, the ref, and that the token can read them`, {
          details: { url, ref: refName },
          cause: error,
        });
      }
      throw error;
    }
    if (!commitSha.test(text)) {
      throw new OrioleError('upstream_unavailable', `${url} did not answer with a commit sha`, { details: { url } });
    }
    return { sha: text, refName };
  }

  private async defaultBranch(): Promise<string> {
    try {
      return (await this.getJson(this.repoApi, repositorySchema)).default_branch;
    } catch (error) {
      // A private repository the token cannot see is a 404 too.
      if (error instanceof OrioleError && error.code === 'not_found') {
        throw new OrioleError(
          'not_found',
          `GitHub has no repository ${this.settings.owner}/${this.settings.name} that this source's token can read`,
          { details: { url: this.repoApi }, cause: error },
        );
      }
      throw error;
    }
  }

  private async everything(sha: string): Promise<ListingPlan> {
    const files = await this.folderFiles(sha);
    if (files === null) {
      throw new OrioleError(
        'not_found',
        `${this.settings.owner}/${this.settings.name} has no folder '${this.settings.folder}' at ${sha}; check the source's path`,
        { details: { url: this.treeUrl(sha, true), path: this.settings.folder } },
      );
    }
    return { kind: 'everything', files, gone: [] };
  }

  private async changesSince(base: string, head: string): Promise<ListingPlan> {
    let comparison: Comparison;
    try {
      comparison = await this.getJson(`${this.repoApi}/compare/${base}...${head}`, comparisonSchema);
    } catch (error) {
      // The base commit is gone (a force-push GitHub has collected): only listing everything is safe.
      if (error instanceof OrioleError && error.code === 'not_found') return this.everything(head);
      // A diff too large to send whole: the trees tell the same story in fewer bytes.
      if (error instanceof OrioleError && error.code === 'payload_too_large') return this.treeChanges(base, head);
      throw error;
    }
    const files = comparison.files;
    if (comparison.status !== 'ahead' || files === undefined || files.length >= compareFileCap) return this.treeChanges(base, head);

    const changed: RepoFile[] = [];
    const gone: string[] = [];
    for (const file of files) {
      if (file.status === 'removed') gone.push(file.filename);
      if (file.status === 'renamed' && file.previous_filename) gone.push(file.previous_filename);
      if (file.status === 'removed' || file.status === 'unchanged' || !this.isDocument(file.filename)) continue;
      // Without the blob sha the file cannot be fetched by content; the trees say it.
      if (!file.sha) return this.treeChanges(base, head);
      changed.push({ path: file.filename, blobSha: file.sha });
    }
    return { kind: 'changes', files: sortByPath(changed), gone: gone.filter((path) => this.isDocument(path)).sort() };
  }

  /** The changes between two commits from their trees: exact whatever their history, in two tree requests. */
  private async treeChanges(base: string, head: string): Promise<ListingPlan> {
    let before: RepoFile[] | null;
    try {
      before = await this.folderFiles(base);
    } catch (error) {
      if (error instanceof OrioleError && error.code === 'not_found') return this.everything(head);
      throw error;
    }
    const after = (await this.folderFiles(head)) ?? [];
    const previous = new Map((before ?? []).map((file) => [file.path, file.blobSha]));
    const current = new Set(after.map((file) => file.path));
    return {
      kind: 'changes',
      files: after.filter((file) => previous.get(file.path) !== file.blobSha),
      gone: [...previous.keys()].filter((path) => !current.has(path)),
    };
  }

  /** The document files under the folder at a commit, by path; null when the folder does not exist there. */
  private async folderFiles(commit: string): Promise<RepoFile[] | null> {
    const root = await this.tree(commit, true);
    const { folder } = this.settings;
    if (!root.truncated) {
      if (folder !== '' && !root.tree.some((entry) => entry.type === 'tree' && entry.path === folder)) return null;
      return this.documentsOf(root, '');
    }
    const folderSha = folder === '' ? root.sha : await this.subtreeSha(root.sha, folder);
    if (folderSha === null) return null;
    return sortByPath(await this.walk(folderSha, folder, folder !== ''));
  }

  /** Descends from a tree to the folder one level at a time, as a truncated recursive tree cannot be trusted to hold it. */
  private async subtreeSha(rootSha: string, folder: string): Promise<string | null> {
    let sha = rootSha;
    for (const segment of folder.split('/')) {
      const level = await this.tree(sha, false);
      const entry = level.tree.find((candidate) => candidate.type === 'tree' && candidate.path === segment);
      if (entry === undefined) return null;
      sha = entry.sha;
    }
    return sha;
  }

  /** The files of a subtree: recursively in one request when GitHub sends it whole, else level by level. */
  private async walk(sha: string, prefix: string, tryRecursive: boolean): Promise<RepoFile[]> {
    if (tryRecursive) {
      const whole = await this.tree(sha, true);
      if (!whole.truncated) return this.documentsOf(whole, prefix);
    }
    const level = await this.tree(sha, false);
    if (level.truncated) {
      const url = this.treeUrl(sha, false);
      throw new OrioleError('upstream_unavailable', `${url} holds more entries than GitHub lists in one tree`, { details: { url } });
    }
    const files = this.documentsOf(level, prefix);
    for (const entry of level.tree) {
      if (entry.type === 'tree') files.push(...(await this.walk(entry.sha, joinPath(prefix, entry.path), true)));
    }
    return files;
  }

  /** A tree's document files, their paths made repository paths; symlinks and submodules are left out. */
  private documentsOf(tree: Tree, prefix: string): RepoFile[] {
    return sortByPath(
      tree.tree
        .filter((entry) => entry.type === 'blob' && entry.mode !== symlinkMode)
        .map((entry) => ({ path: joinPath(prefix, entry.path), blobSha: entry.sha }))
        .filter((file) => this.isDocument(file.path)),
    );
  }

  private isDocument(path: string): boolean {
    const { folder } = this.settings;
    return (folder === '' || path.startsWith(`${folder}/`)) && documentExtension.test(path);
  }

  private async tree(sha: string, recursive: boolean): Promise<Tree> {
    return this.getJson(this.treeUrl(sha, recursive), treeSchema);
  }

  private treeUrl(sha: string, recursive: boolean): string {
    return `${this.repoApi}/git/trees/${sha}${recursive ? '?recursive=1' : ''}`;
  }

  /** One file as an entry: its document, or why it could not be read. */
  private async read(file: RepoFile, head: Head): Promise<SourceEntry> {
    this.stopIfAborted();
    try {
      return { kind: 'document', document: await this.document(file, head) };
    } catch (error) {
      return { kind: 'failed', source: this.sourceKey(file.path), error: this.nonFatal(error) };
    }
  }

  private async document(file: RepoFile, head: Head): Promise<SourceDocument> {
    return {
      source: this.sourceKey(file.path),
      title: null,
      url: this.citationUrl(file.path, head.refName),
      contentType: contentTypes.markdown,
      bytes: await this.blob(file.blobSha),
      // Not the commit: it changes on every push and would make every document look edited.
      metadata: { githubPath: file.path, blobSha: file.blobSha },
    };
  }

  private async blob(sha: string): Promise<Uint8Array> {
    const url = `${this.repoApi}/git/blobs/${sha}`;
    const blob = await this.getJson(url, blobSchema);
    if (blob.encoding !== 'base64') {
      throw new OrioleError('upstream_unavailable', `${url} sent its content as '${blob.encoding}', not base64`, { details: { url } });
    }
    // GitHub wraps the base64 in lines; Buffer skips the newlines.
    const bytes = new Uint8Array(Buffer.from(blob.content, 'base64'));
    if (blob.size !== undefined && blob.size !== bytes.byteLength) {
      throw new OrioleError('upstream_unavailable', `${url} sent ${bytes.byteLength} of the blob's ${blob.size} bytes`, { details: { url } });
    }
    return bytes;
  }

  /** Stable across refs and commits, so an edited file replaces its document. */
  private sourceKey(path: string): string {
    return `github/${this.settings.owner}/${this.settings.name}/${path}`;
  }

  private citationUrl(path: string, refName: string): string {
    const { docsUrl, webBase, owner, name, folder } = this.settings;
    if (docsUrl === null) return `${webBase}/${owner}/${name}/blob/${encodePath(refName)}/${encodePath(path)}`;
    const page = pagePath(folder === '' ? path : path.slice(folder.length + 1));
    const url = docsUrl.replaceAll('{file}', encodePath(path)).replaceAll('{path}', encodePath(page));
    // An index page's empty {path} must not leave "//" in the URL's path.
    return url.replace(/^(https?:\/\/[^/]*)(.*)$/i, (_, origin: string, rest: string) => origin + rest.replace(/\/{2,}/g, '/'));
  }

  private async getJson<T>(url: string, schema: z.ZodType<T>): Promise<T> {
    this.stopIfAborted();
    const body = await this.http.getJson<unknown>(url, this.requestOptions());
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      throw new OrioleError('upstream_unavailable', `${url} answered in a shape this connector does not read`, {
        details: { url, issue: parsed.error.issues[0]?.message },
      });
    }
    return parsed.data;
  }

  private requestOptions(headers: Record<string, string> = {}) {
    return { headers: { ...this.settings.headers, ...headers }, signal: this.request.signal };
  }

  /**
   * The error as a failed entry's, or thrown on when the run must stop: the sync was
   * stopped, GitHub rate-limits us (more requests would make it worse), or a bug.
   */
  private nonFatal(error: unknown): OrioleError {
    this.stopIfAborted();
    if (!(error instanceof OrioleError) || error.code === 'rate_limited') throw error;
    return error;
  }

  private stopIfAborted(): void {
    if (this.request.signal.aborted) throw new OrioleError('upstream_unavailable', 'the sync stopped before the GitHub listing finished');
  }
}

/** A path relative to the docs folder as a page path: no extension, and an `index` or `README` page named by its folder. */
function pagePath(relative: string): string {
  return relative.replace(documentExtension, '').replace(/(?:^|\/)(?:index|readme)$/i, '');
}

function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

function joinPath(prefix: string, path: string): string {
  return prefix === '' ? path : `${prefix}/${path}`;
}

function sortByPath(files: RepoFile[]): RepoFile[] {
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function urlOf(error: OrioleError): string | null {
  const url = error.details?.url;
  return typeof url === 'string' ? url : null;
}

/**
 * GitHub's rate-limit answers as the transport understands them: a 429 whose Retry-After
 * says how long to wait. GitHub also limits with 403, and its primary limit sends
 * `x-ratelimit-reset` (epoch seconds) instead of Retry-After; a 429 without either would
 * otherwise be retried after a half-second backoff, well before the limit lifts.
 */
function withGithubRateLimits(fetch: FetchFunction, now: () => number = Date.now): FetchFunction {
  return async (input, init) => {
    const response = await fetch(input, init);
    if (response.status !== 403 && response.status !== 429) return response;
    const headers = new Headers(response.headers);
    if (headers.has('retry-after')) return relabel(response.body, 429, headers);
    if (headers.get('x-ratelimit-remaining') === '0') {
      const reset = Number(headers.get('x-ratelimit-reset'));
      const seconds = Number.isFinite(reset) && reset > 0 ? Math.max(1, Math.ceil(reset - now() / 1000) + 1) : secondaryLimitWaitSeconds;
      headers.set('retry-after', String(seconds));
      return relabel(response.body, 429, headers);
    }
    if (response.status === 429) return response;
    // A secondary limit may come with neither header; only its message tells it from a refusal.
    const body = await readPrefix(response, refusalSniffBytes);
    if (/secondary rate limit|abuse detection/i.test(new TextDecoder().decode(body))) {
      headers.set('retry-after', String(secondaryLimitWaitSeconds));
      return relabel(body, 429, headers);
    }
    return relabel(body, 403, headers);
  };
}

function relabel(body: ConstructorParameters<typeof Response>[0], status: number, headers: Headers): Response {
  // The body may be a prefix of the original: a stale length would misreport it.
  headers.delete('content-length');
  return new Response(body, { status, headers });
}

async function readPrefix(response: Response, limit: number): Promise<Uint8Array> {
  if (response.body === null) return new Uint8Array(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  while (total < limit) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    total += value.byteLength;
  }
  await reader.cancel().catch(() => undefined);
  return new Uint8Array(Buffer.concat(chunks).subarray(0, limit));
}
