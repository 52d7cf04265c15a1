import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A real HTTP server on 127.0.0.1 speaking the parts of GitHub's REST API (version
 * 2022-11-28) a documentation sync reads, over a repository whose history a test writes:
 *
 * - `GET /repos/{o}/{r}`: the repository, with `default_branch`;
 * - `GET /repos/{o}/{r}/commits/{ref}`: a branch, tag-less sha or sha prefix resolved to its
 *   commit, as JSON or, with `Accept: application/vnd.github.sha`, as the bare sha; an
 *   unknown ref is GitHub's 422 "No commit found for SHA";
 * - `GET /repos/{o}/{r}/git/trees/{sha}[?recursive=1]`: a commit's or tree's entries with
 *   real git object ids (blob and tree hashes computed as git does), `truncated` when a
 *   recursive listing exceeds `maxTreeEntries` (the entries then cut off, as GitHub does);
 * - `GET /repos/{o}/{r}/git/blobs/{sha}`: `content` base64 in 60-character lines with a
 *   trailing newline, as GitHub sends it;
 * - `GET /repos/{o}/{r}/compare/{base}...{head}`: `status` (ahead, behind, diverged,
 *   identical) and `files` diffed from the merge base, exact renames detected
 *   (`renamed` with `previous_filename`), at most 300 files; 404 for an unknown commit.
 *
 * With a `token`, requests must carry `Authorization: Bearer {token}` (or `token {token}`):
 * a wrong one is GitHub's 401 "Bad credentials", none at all a 404 (a private repository).
 * Every answer carries `x-ratelimit-*` headers. `answerNext` scripts failures (a 429 with
 * Retry-After, a 403 rate limit, a 500) for requests whose path matches, and every request
 * is recorded.
 */

export interface FakeGithubOptions {
  owner?: string;
  name?: string;
  defaultBranch?: string;
  /** The bearer token the repository requires; none: a public repository. */
  token?: string;
  /** The first commit's files, path → content. */
  files?: Record<string, string>;
  /** Where the API is mounted: '' like api.github.com, '/api/v3' like GitHub Enterprise Server. */
  prefix?: string;
  /** A recursive tree with more entries is truncated. */
  maxTreeEntries?: number;
}

/** One scripted answer: sent instead of the real one. */
export interface ScriptedAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface RecordedRequest {
  method: string;
  /** Path and query, the mount prefix removed. */
  path: string;
  headers: Record<string, string | undefined>;
}

/** A change committed on a branch: files written (added or edited), removed, or renamed (content kept unless also written). */
export interface FileChange {
  write?: Record<string, string>;
  remove?: string[];
  rename?: Record<string, string>;
}

export interface FakeGithub {
  /** The API base URL to configure as `apiUrl`. */
  readonly url: string;
  readonly requests: RecordedRequest[];
  readonly owner: string;
  readonly name: string;
  head(branch?: string): string;
  /** Commits the change on the branch (default: the default branch) and returns the new commit's sha. */
  commit(change: FileChange, branch?: string): string;
  /**
   * A force-push: replaces the branch head with a commit applying `change` to the head's
   * parent. With `forgetOld`, the replaced commit is gone from the repository (GitHub
   * collected it), so comparing against it answers 404; otherwise the histories diverge.
   */
  forcePush(change: FileChange, options: { forgetOld: boolean }, branch?: string): string;
  createBranch(name: string, from?: string): void;
  /** Answers the next requests whose path (with query) matches `pattern` with these, in order. */
  answerNext(pattern: RegExp, ...answers: ScriptedAnswer[]): void;
  /** How many recorded requests' paths match. */
  count(pattern: RegExp): number;
  close(): Promise<void>;
}

interface FileEntry {
  blob: string;
  mode: string;
}

interface Commit {
  sha: string;
  parent: string | null;
  tree: string;
  message: string;
  files: Map<string, FileEntry>;
}

interface TreeEntry {
  name: string;
  mode: string;
  type: 'blob' | 'tree';
  sha: string;
}

const compareFileLimit = 300;
const rateLimit = 5000;

export async function startFakeGithub(options: FakeGithubOptions = {}): Promise<FakeGithub> {
  const owner = options.owner ?? 'acme';
  const name = options.name ?? 'handbook';
  const defaultBranch = options.defaultBranch ?? 'main';
  const prefix = options.prefix ?? '';
  const blobs = new Map<string, Buffer>();
  const trees = new Map<string, TreeEntry[]>();
  const commits = new Map<string, Commit>();
  const branches = new Map<string, string>();
  const requests: RecordedRequest[] = [];
  const scripts: { pattern: RegExp; answers: ScriptedAnswer[] }[] = [];
  let used = 0;
  let commitCount = 0;

  function gitHash(type: string, content: Buffer): string {
    return createHash('sha1')
      .update(Buffer.concat([Buffer.from(`${type} ${content.byteLength}\0`), content]))
      .digest('hex');
  }

  function storeBlob(text: string): string {
    const content = Buffer.from(text, 'utf8');
    const sha = gitHash('blob', content);
    blobs.set(sha, content);
    return sha;
  }

  /** Builds the tree objects of a flat file map, git's way, and returns the root tree's id. */
  function storeTree(files: Map<string, FileEntry>, base = ''): string {
    const children = new Map<string, TreeEntry>();
    const folders = new Set<string>();
    for (const [path, file] of files) {
      if (!path.startsWith(base)) continue;
      const rest = path.slice(base.length);
      const slash = rest.indexOf('/');
      if (slash === -1) children.set(rest, { name: rest, mode: file.mode, type: 'blob', sha: file.blob });
      else folders.add(rest.slice(0, slash));
    }
    for (const folder of folders) {
      children.set(folder, { name: folder, mode: '040000', type: 'tree', sha: storeTree(files, `${base}${folder}/`) });
    }
    // git orders a tree's entries by name, a subtree's name compared as if it ended in '/'.
    const sortKey = (entry: TreeEntry) => (entry.type === 'tree' ? `${entry.name}/` : entry.name);
    const entries = [...children.values()].sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : 1));
    const content = Buffer.concat(
      entries.flatMap((entry) => [Buffer.from(`${entry.mode === '040000' ? '40000' : entry.mode} ${entry.name}\0`), Buffer.from(entry.sha, 'hex')]),
    );
    const sha = gitHash('tree', content);
    trees.set(sha, entries);
    return sha;
  }

  function storeCommit(files: Map<string, FileEntry>, parent: string | null, message: string): string {
    commitCount += 1;
    const tree = storeTree(files);
    const text = `tree ${tree}\n${parent ? `parent ${parent}\n` : ''}author Fake <fake@example.com> ${1_700_000_000 + commitCount} +0000\n\n${message}\n`;
    const sha = gitHash('commit', Buffer.from(text));
    commits.set(sha, { sha, parent, tree, message, files });
    return sha;
  }

  function applyChange(files: Map<string, FileEntry>, change: FileChange): Map<string, FileEntry> {
    const next = new Map(files);
    for (const [from, to] of Object.entries(change.rename ?? {})) {
      const file = next.get(from);
      if (!file) throw new Error(`fake-github: cannot rename missing ${from}`);
      next.delete(from);
      next.set(to, file);
    }
    for (const path of change.remove ?? []) {
      if (!next.delete(path)) throw new Error(`fake-github: cannot remove missing ${path}`);
    }
    for (const [path, text] of Object.entries(change.write ?? {})) next.set(path, { blob: storeBlob(text), mode: '100644' });
    return next;
  }

  function branchHead(branch: string): Commit {
    const sha = branches.get(branch);
    if (!sha) throw new Error(`fake-github: no branch ${branch}`);
    return commits.get(sha)!;
  }

  function resolveCommit(ref: string): Commit | null {
    const branch = branches.get(ref);
    if (branch) return commits.get(branch) ?? null;
    if (/^[0-9a-f]{7,40}$/.test(ref)) {
      const matches = [...commits.keys()].filter((sha) => sha.startsWith(ref));
      if (matches.length === 1) return commits.get(matches[0]!)!;
    }
    return null;
  }

  function ancestors(commit: Commit): string[] {
    const chain: string[] = [];
    for (let current: Commit | undefined = commit; current; current = current.parent ? commits.get(current.parent) : undefined) chain.push(current.sha);
    return chain;
  }

  branches.set(defaultBranch, storeCommit(applyChange(new Map(), { write: options.files ?? { 'README.md': '# Handbook\n' } }), null, 'Initial commit'));

  const apiOrigin = { value: '' };
  const repoApi = () => `${apiOrigin.value}${prefix}/repos/${owner}/${name}`;
  const webOrigin = () => apiOrigin.value;

  function rateHeaders(): Record<string, string> {
    used += 1;
    return {
      'x-ratelimit-limit': String(rateLimit),
      'x-ratelimit-remaining': String(Math.max(0, rateLimit - used)),
      'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
      'x-ratelimit-used': String(used),
      'x-ratelimit-resource': 'core',
      'x-github-api-version-selected': '2022-11-28',
    };
  }

  function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    response.writeHead(status, {
      'content-type': typeof body === 'string' ? 'application/vnd.github.sha; charset=utf-8' : 'application/json; charset=utf-8',
      ...rateHeaders(),
      ...headers,
    });
    response.end(text);
  }

  function error(response: ServerResponse, status: number, message: string): void {
    send(response, status, { message, documentation_url: 'https://docs.github.com/rest', status: String(status) });
  }

  function treeJson(sha: string, recursive: boolean) {
    const entries: { path: string; mode: string; type: string; sha: string; size?: number; url: string }[] = [];
    const visit = (treeSha: string, base: string) => {
      for (const entry of trees.get(treeSha)!) {
        const path = `${base}${entry.name}`;
        const kind = entry.type === 'blob' ? 'blobs' : 'trees';
        entries.push({
          path,
          mode: entry.mode,
          type: entry.type,
          sha: entry.sha,
          ...(entry.type === 'blob' ? { size: blobs.get(entry.sha)!.byteLength } : {}),
          url: `${repoApi()}/git/${kind}/${entry.sha}`,
        });
        if (recursive && entry.type === 'tree') visit(entry.sha, `${path}/`);
      }
    };
    visit(sha, '');
    // GitHub's limit (100,000 entries, 7 MB) is documented for recursive listings.
    const limit = recursive ? (options.maxTreeEntries ?? Number.POSITIVE_INFINITY) : Number.POSITIVE_INFINITY;
    return { sha, url: `${repoApi()}/git/trees/${sha}`, tree: entries.slice(0, limit), truncated: entries.length > limit };
  }

  function blobJson(sha: string) {
    const content = blobs.get(sha)!;
    const base64 = content.toString('base64');
    const lines = base64.match(/.{1,60}/g) ?? [];
    return {
      sha,
      node_id: Buffer.from(`B_${sha}`).toString('base64'),
      size: content.byteLength,
      url: `${repoApi()}/git/blobs/${sha}`,
      content: lines.map((line) => `${line}\n`).join(''),
      encoding: 'base64',
    };
  }

  function commitJson(commit: Commit) {
    return {
      sha: commit.sha,
      node_id: Buffer.from(`C_${commit.sha}`).toString('base64'),
      commit: { message: commit.message, tree: { sha: commit.tree, url: `${repoApi()}/git/trees/${commit.tree}` } },
      url: `${repoApi()}/commits/${commit.sha}`,
      html_url: `${webOrigin()}/${owner}/${name}/commit/${commit.sha}`,
      parents: commit.parent ? [{ sha: commit.parent, url: `${repoApi()}/commits/${commit.parent}` }] : [],
    };
  }

  function lineCount(sha: string | undefined): number {
    return sha ? blobs.get(sha)!.toString('utf8').split('\n').filter(Boolean).length : 0;
  }

  function diffEntry(filename: string, status: string, sha: string, before: string | undefined, after: string | undefined, previous?: string) {
    const additions = before === after ? 0 : lineCount(after);
    const deletions = before === after ? 0 : lineCount(before);
    const at = status === 'removed' ? 'HEAD~' : 'HEAD';
    return {
      sha,
      filename,
      status,
      additions,
      deletions,
      changes: additions + deletions,
      blob_url: `${webOrigin()}/${owner}/${name}/blob/${at}/${filename}`,
      raw_url: `${webOrigin()}/${owner}/${name}/raw/${at}/${filename}`,
      contents_url: `${repoApi()}/contents/${filename}?ref=${at}`,
      ...(previous ? { previous_filename: previous } : {}),
    };
  }

  function compareJson(base: Commit, head: Commit, mergeBase: Commit) {
    const headChain = ancestors(head);
    const baseChain = ancestors(base);
    const status =
      base.sha === head.sha ? 'identical' : mergeBase.sha === base.sha ? 'ahead' : mergeBase.sha === head.sha ? 'behind' : 'diverged';
    const before = mergeBase.files;
    const after = head.files;
    const removed = [...before.keys()].filter((path) => !after.has(path));
    const added = [...after.keys()].filter((path) => !before.has(path));
    const files: ReturnType<typeof diffEntry>[] = [];
    const renamedFrom = new Set<string>();
    for (const path of added) {
      // git's exact rename detection: a removed path with the same blob.
      const from = removed.find((candidate) => !renamedFrom.has(candidate) && before.get(candidate)!.blob === after.get(path)!.blob);
      if (from) {
        renamedFrom.add(from);
        files.push(diffEntry(path, 'renamed', after.get(path)!.blob, before.get(from)!.blob, after.get(path)!.blob, from));
      } else files.push(diffEntry(path, 'added', after.get(path)!.blob, undefined, after.get(path)!.blob));
    }
    for (const path of removed) if (!renamedFrom.has(path)) files.push(diffEntry(path, 'removed', before.get(path)!.blob, before.get(path)!.blob, undefined));
    for (const [path, file] of after) {
      const old = before.get(path);
      if (old && old.blob !== file.blob) files.push(diffEntry(path, 'modified', file.blob, old.blob, file.blob));
    }
    files.sort((a, b) => (a.filename < b.filename ? -1 : 1));
    const aheadBy = headChain.indexOf(mergeBase.sha);
    return {
      url: `${repoApi()}/compare/${base.sha}...${head.sha}`,
      html_url: `${webOrigin()}/${owner}/${name}/compare/${base.sha}...${head.sha}`,
      base_commit: commitJson(base),
      merge_base_commit: commitJson(mergeBase),
      status,
      ahead_by: aheadBy,
      behind_by: baseChain.indexOf(mergeBase.sha),
      total_commits: aheadBy,
      commits: headChain
        .slice(0, aheadBy)
        .reverse()
        .map((sha) => commitJson(commits.get(sha)!)),
      files: files.slice(0, compareFileLimit),
    };
  }

  function authorised(request: IncomingMessage, response: ServerResponse): boolean {
    if (options.token === undefined) return true;
    const header = request.headers.authorization;
    if (header === undefined) {
      error(response, 404, 'Not Found');
      return false;
    }
    const given = header.replace(/^(?:Bearer|token)\s+/i, '');
    if (given !== options.token) {
      error(response, 401, 'Bad credentials');
      return false;
    }
    return true;
  }

  function handle(request: IncomingMessage, response: ServerResponse): void {
    const url = new URL(request.url ?? '/', 'http://fake');
    if (!url.pathname.startsWith(`${prefix}/`)) return error(response, 404, 'Not Found');
    const path = url.pathname.slice(prefix.length) + url.search;
    requests.push({
      method: request.method ?? 'GET',
      path,
      headers: {
        accept: request.headers.accept,
        authorization: request.headers.authorization,
        'x-github-api-version': request.headers['x-github-api-version'] as string | undefined,
        'user-agent': request.headers['user-agent'],
      },
    });
    const script = scripts.find((candidate) => candidate.answers.length > 0 && candidate.pattern.test(path));
    if (script) {
      const answer = script.answers.shift()!;
      return send(response, answer.status, answer.body ?? { message: `scripted ${answer.status}` }, answer.headers);
    }
    if (request.method !== 'GET') return error(response, 404, 'Not Found');
    if (!authorised(request, response)) return;

    const route = /^\/repos\/([^/]+)\/([^/]+)(?:\/(.*))?$/.exec(url.pathname.slice(prefix.length));
    if (!route || route[1]!.toLowerCase() !== owner.toLowerCase() || route[2]!.toLowerCase() !== name.toLowerCase()) {
      return error(response, 404, 'Not Found');
    }
    const rest = route[3] === undefined ? '' : decodeURIComponent(route[3]);
    if (rest === '') {
      return send(response, 200, {
        id: 1296269,
        name,
        full_name: `${owner}/${name}`,
        private: options.token !== undefined,
        html_url: `${webOrigin()}/${owner}/${name}`,
        default_branch: defaultBranch,
      });
    }
    let match: RegExpExecArray | null;
    if ((match = /^commits\/(.+)$/.exec(rest))) {
      const commit = resolveCommit(match[1]!);
      if (!commit) return error(response, 422, `No commit found for SHA: ${match[1]}`);
      if (request.headers.accept?.includes('application/vnd.github.sha')) return send(response, 200, commit.sha);
      return send(response, 200, { ...commitJson(commit), files: [] });
    }
    if ((match = /^git\/trees\/(.+)$/.exec(rest))) {
      const id = match[1]!;
      const tree = trees.has(id) ? id : resolveCommit(id)?.tree;
      if (!tree) return error(response, 404, 'Not Found');
      // GitHub recurses when the parameter is present at all, whatever its value.
      return send(response, 200, treeJson(tree, url.searchParams.has('recursive')));
    }
    if ((match = /^git\/blobs\/([0-9a-f]{40})$/.exec(rest))) {
      if (!blobs.has(match[1]!)) return error(response, 404, 'Not Found');
      return send(response, 200, blobJson(match[1]!));
    }
    if ((match = /^compare\/(.+)\.\.\.(.+)$/.exec(rest))) {
      const base = resolveCommit(match[1]!);
      const head = resolveCommit(match[2]!);
      if (!base || !head) return error(response, 404, 'Not Found');
      const headChain = ancestors(head);
      const mergeBase = ancestors(base).find((sha) => headChain.includes(sha));
      if (!mergeBase) return error(response, 404, `No common ancestor between ${match[1]} and ${match[2]}.`);
      return send(response, 200, compareJson(base, head, commits.get(mergeBase)!));
    }
    return error(response, 404, 'Not Found');
  }

  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  apiOrigin.value = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: `${apiOrigin.value}${prefix}`,
    requests,
    owner,
    name,
    head: (branch = defaultBranch) => branchHead(branch).sha,
    commit(change, branch = defaultBranch) {
      const head = branchHead(branch);
      const sha = storeCommit(applyChange(head.files, change), head.sha, 'Edit docs');
      branches.set(branch, sha);
      return sha;
    },
    forcePush(change, { forgetOld }, branch = defaultBranch) {
      const old = branchHead(branch);
      const parent = old.parent ? commits.get(old.parent)! : null;
      const sha = storeCommit(applyChange(parent?.files ?? new Map(), change), parent?.sha ?? null, 'Rewritten');
      branches.set(branch, sha);
      if (forgetOld) commits.delete(old.sha);
      return sha;
    },
    createBranch(branchName, from = defaultBranch) {
      branches.set(branchName, branchHead(from).sha);
    },
    answerNext(pattern, ...answers) {
      scripts.push({ pattern, answers: [...answers] });
    },
    count: (pattern) => requests.filter((request) => pattern.test(request.path)).length,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
