import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** What an eval report records about the software that produced it. */
export interface BuildInfo {
  version: string;
  /** The checkout's commit, or ORIOLE_GIT_COMMIT for installs without .git; null when neither is known. */
  gitCommit: string | null;
  node: string;
}

const packageRoot = fileURLToPath(new URL('../..', import.meta.url));

let cached: BuildInfo | undefined;

/** `configuredCommit` is `Config['gitCommit']` (ORIOLE_GIT_COMMIT); without it, git is asked. */
export function buildInfo(configuredCommit?: string): BuildInfo {
  cached ??= {
    version: (JSON.parse(readFileSync(`${packageRoot}/package.json`, 'utf8')) as { version: string }).version,
    gitCommit: configuredCommit || gitCommit(),
    node: process.version,
  };
  return cached;
}

function gitCommit(): string | null {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: packageRoot, stdio: ['ignore', 'pipe', 'ignore'], timeout: 5_000 })
      .toString()
      .trim();
    return /^[0-9a-f]{40}$/.test(commit) ? commit : null;
  } catch {
    return null;
  }
}
