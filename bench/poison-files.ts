/**
 * Uploads each poison file to a fresh `oriole serve` (embedded PGlite, no embedder)
 * and reports the server's RSS growth and the slowest GET /health while the job runs.
 * A server still busy after the deadline is killed and reported as such, so a checkout
 * without parse budgets cannot hang the run.
 *
 *   npx tsx bench/poison-files.ts [checkout-dir] [--deadline-seconds 60] [--only name,…]
 *
 * checkout-dir defaults to this one; point it at an older checkout to measure "before".
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { flateBombPdf, hugeCsv, lyingDocx, pageTreePdf, repeatedText } from '../test/helpers/poison-files.ts';
import { freePort } from '../test/helpers/network.ts';

const megabyte = 1024 * 1024;
const poisonFiles: { name: string; make: () => Promise<Uint8Array> | Uint8Array }[] = [
  { name: 'million-pages.pdf', make: () => pageTreePdf(1_000) },
  { name: 'lying-directory.docx', make: () => lyingDocx(1024 * megabyte) },
  { name: 'flate-bomb.pdf', make: () => flateBombPdf(1024 * megabyte) },
  { name: 'quotes.md', make: () => repeatedText('>', megabyte) },
  { name: 'brackets.md', make: () => repeatedText('[', 5 * megabyte) },
  { name: 'million-rows.csv', make: () => hugeCsv(1_000_000) },
];

interface Measurement {
  file: string;
  bytes: number;
  outcome: string;
  seconds: number;
  maxHealthMs: number;
  rssGrowthMb: number;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const option = (name: string) => {
    const index = args.indexOf(name);
    return index >= 0 ? args.splice(index, 2)[1] : undefined;
  };
  const deadlineMs = Number(option('--deadline-seconds') ?? 60) * 1000;
  const only = option('--only')?.split(',');
  const checkout = path.resolve(args[0] ?? '.');
  const results: Measurement[] = [];
  for (const poison of poisonFiles.filter((file) => !only || only.includes(file.name))) {
    const bytes = await poison.make();
    const result = await measure(checkout, poison.name, bytes, deadlineMs);
    console.log(JSON.stringify(result));
    results.push(result);
  }
  console.log(`\n| file | size | outcome | seconds | max /health ms | RSS growth MB |\n|---|---|---|---|---|---|`);
  for (const result of results) {
    console.log(
      `| ${result.file} | ${(result.bytes / 1024).toFixed(0)} KB | ${result.outcome} | ${result.seconds} | ${result.maxHealthMs} | ${result.rssGrowthMb} |`,
    );
  }
}

async function measure(checkout: string, name: string, bytes: Uint8Array, deadlineMs: number): Promise<Measurement> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'oriole-poison-bench-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const server = spawn(process.execPath, [path.join(checkout, 'bin/oriole.js'), 'serve'], {
    cwd: checkout,
    env: { ...process.env, ORIOLE_DATA_DIR: dataDir, PORT: String(port), ORIOLE_EMBEDDER: 'none', ORIOLE_LOG_LEVEL: 'error' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    await waitUntilHealthy(url);
    const baseline = await rssMb(server.pid!);
    let peak = baseline;
    let maxHealthMs = 0;
    let running = true;
    const sampler = setInterval(() => void rssMb(server.pid!).then((rss) => (peak = Math.max(peak, rss)), () => undefined), 100);
    const health = (async () => {
      while (running) {
        const started = performance.now();
        // A blocked server answers late or not at all; either way the wait is what counts.
        await fetch(`${url}/health`, { signal: AbortSignal.timeout(deadlineMs) }).then((response) => response.arrayBuffer(), () => undefined);
        maxHealthMs = Math.max(maxHealthMs, performance.now() - started);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    const started = performance.now();
    const outcome = await upload(url, name, bytes, started + deadlineMs);
    running = false;
    clearInterval(sampler);
    await Promise.race([health, new Promise((resolve) => setTimeout(resolve, 1_000))]);
    return {
      file: name,
      bytes: bytes.byteLength,
      outcome,
      seconds: Math.round((performance.now() - started) / 100) / 10,
      maxHealthMs: Math.round(maxHealthMs),
      rssGrowthMb: Math.round(peak - baseline),
    };
  } finally {
    server.kill('SIGKILL');
    await new Promise((resolve) => server.once('exit', resolve));
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** The job's end and the document's failure reason, or how long it stayed blocked. */
async function upload(url: string, name: string, bytes: Uint8Array, deadline: number): Promise<string> {
  const remaining = () => Math.max(1, Math.ceil(deadline - performance.now()));
  try {
    const form = new FormData();
    form.append('file', new File([bytes], name));
    const response = await fetch(`${url}/documents`, { method: 'POST', body: form, signal: AbortSignal.timeout(remaining()) });
    const queued = (await response.json()) as { jobId?: string; documents?: { id: string }[]; error?: { code: string } };
    if (!queued.jobId) return `refused: ${queued.error?.code}`;
    while (performance.now() < deadline) {
      const job = (await (await fetch(`${url}/jobs/${queued.jobId}`, { signal: AbortSignal.timeout(remaining()) })).json()) as { status: string };
      if (job.status === 'succeeded' || job.status === 'failed') {
        const document = (await (await fetch(`${url}/documents/${queued.documents![0]!.id}`)).json()) as { error: string | null };
        return `${job.status}: ${(document.error ?? '').slice(0, 60)}`;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } catch (error) {
    // A request timed out (the server did not answer before the deadline), or the server died.
    if ((error as Error).name !== 'TimeoutError') return `error: ${(error as Error).message}`;
  }
  return 'still blocked at the deadline';
}

async function waitUntilHealthy(url: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (await fetch(`${url}/health`).then((response) => response.ok, () => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the server at ${url} did not start`);
}

/** Resident memory of a process (all its threads), from /proc. */
async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

await main();
