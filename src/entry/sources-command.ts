import { createSourcesService, sourceTypeNames } from '../../ingest/sources/index.ts';
import { OrioleError, type SourcesService, type SourceType, type SourceView } from '../core/index.ts';
import { getJob, isUuid, type Job } from '../db/index.ts';
import type { NodeComposition } from './compose.ts';

/**
 * `oriole sources add|list|sync|remove|rekey` (docs/sources.md). `add` and `sync` run the
 * sync in this process and wait for it (with PGlite no other process can); a sync already
 * running elsewhere is waited for instead of doubled.
 */

export interface SourcesOutput {
  out(text: string): void;
  err(text: string): void;
}

const anyKb = () => undefined;

function service(node: NodeComposition): SourcesService {
  const ingestion = node.ingestion();
  return createSourcesService({
    database: node.database,
    credentialBox: ingestion.credentialBox,
    embedder: ingestion.context.embedderSpec,
    onSyncQueued: () => {},
    defaultKb: node.config.defaultKb,
    allowPrivateNetwork: node.config.allowPrivateNetwork,
  });
}

export async function runSourcesAdd(
  node: NodeComposition,
  input: { kb: string; type: string; name: string; config: string | undefined; set: readonly string[]; schedule?: string; sync: boolean },
  output: SourcesOutput,
): Promise<number> {
  if (!(sourceTypeNames as string[]).includes(input.type)) {
    throw new OrioleError('invalid_request', `Unknown source type '${input.type}': one of ${sourceTypeNames.join(', ')}`);
  }
  const config = { ...parseConfigJson(input.config), ...assignments(input.set) };
  const { source, jobId } = await service(node).create(
    input.kb,
    { type: input.type as SourceType, name: input.name, config, ...(input.schedule ? { schedule: input.schedule } : {}) },
    anyKb,
  );
  output.out(`Added ${source.type} source '${source.name}' (${source.id}) to '${source.kb}'${source.schedule ? `, synced every ${source.schedule}` : ''}.`);
  if (!input.sync) {
    output.out(`Its first sync is queued (job ${jobId}); a running 'oriole serve' or 'oriole worker' takes it, or run: oriole sources sync ${source.id}`);
    return 0;
  }
  return runAndReport(node, source.id, jobId, output);
}

export async function runSourcesList(node: NodeComposition, input: { kb: string; json: boolean }, output: SourcesOutput): Promise<void> {
  const sources = await service(node).list(input.kb, anyKb);
  if (input.json) return output.out(JSON.stringify({ sources }, null, 2));
  if (sources.length === 0) return output.out(`'${input.kb}' has no sources. Add one with: oriole sources add <type> <name> --set url=…`);
  for (const source of sources) output.out(describeSource(source));
}

export async function runSourcesSync(
  node: NodeComposition,
  input: { kb: string; source: string; full: boolean },
  output: SourcesOutput,
): Promise<number> {
  const source = await findSource(node, input.kb, input.source);
  const { jobId } = await service(node).sync(source.id, { full: input.full }, anyKb);
  return runAndReport(node, source.id, jobId, output);
}

export async function runSourcesRemove(node: NodeComposition, input: { kb: string; source: string }, output: SourcesOutput): Promise<void> {
  const source = await findSource(node, input.kb, input.source);
  const { documentsRemoved } = await service(node).remove(source.id, anyKb);
  output.out(`Removed source '${source.name}' and the ${documentsRemoved} document(s) it brought in.`);
}

export async function runSourcesRekey(node: NodeComposition, output: SourcesOutput): Promise<void> {
  const box = node.ingestion().credentialBox;
  if (!box) throw new OrioleError('invalid_request', 'Set ORIOLE_SECRET_KEY (the new key first, then the old one, comma-separated) to rekey');
  const { rekeySources } = await import('../../ingest/sources/index.ts');
  const count = await rekeySources(node.database, box);
  output.out(`Re-sealed the credentials of ${count} source(s) with the first key of ORIOLE_SECRET_KEY; the other keys can be dropped now.`);
}

/** A source by id, or by name within the KB. */
async function findSource(node: NodeComposition, kb: string, nameOrId: string): Promise<SourceView> {
  if (isUuid(nameOrId)) return service(node).get(nameOrId, anyKb);
  const found = (await service(node).list(kb, anyKb)).find((source) => source.name === nameOrId);
  if (!found) throw new OrioleError('not_found', `'${kb}' has no source named '${nameOrId}' (oriole sources list --kb ${kb})`, { details: { source: nameOrId } });
  return found;
}

/** Runs the queued sync here (an ingestion worker without the scheduler) until its job ends; prints the run. */
async function runAndReport(node: NodeComposition, sourceId: string, jobId: string, output: SourcesOutput): Promise<number> {
  const workers = node.startWorkers({ ingestion: true, evals: false, syncSchedule: false });
  let job: Job;
  try {
    job = await waitForJob(node, jobId);
  } finally {
    await workers.stop();
  }
  const source = await service(node).get(sourceId, anyKb);
  output.out(describeSource(source));
  if (job.status === 'failed' && job.error) output.err(job.error);
  return job.status === 'succeeded' ? 0 : 1;
}

async function waitForJob(node: NodeComposition, jobId: string): Promise<Job> {
  for (;;) {
    const job = await getJob(node.database, jobId);
    if (job.status === 'succeeded' || job.status === 'failed') return job;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function describeSource(source: SourceView): string {
  const run = source.lastRun;
  const counts = run
    ? `${run.status} ${run.mode} sync at ${run.finishedAt}: ${run.added} added, ${run.updated} updated, ${run.unchanged} unchanged, ${run.deleted} deleted, ${run.failed} failed`
    : 'never synced';
  const lines = [
    `${source.name}  (${source.type}, ${source.id})`,
    `  status: ${source.status}; last run: ${counts}`,
    `  schedule: ${source.schedule ?? 'none (sync on request)'}${source.nextRunAt ? `; next run ${source.nextRunAt}` : ''}`,
  ];
  if (source.lastError) lines.push(`  last error: ${source.lastError}`);
  return lines.join('\n');
}

function parseConfigJson(text: string | undefined): Record<string, unknown> {
  if (text === undefined) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // Reported below.
  }
  throw new OrioleError('invalid_request', `--config expects a JSON object, e.g. '{"url":"https://help.example.com"}'`);
}

/** `--set key=value`: the value as JSON when it parses (`maxPages=50`, `include=["/docs/*"]`), else as text. */
function assignments(items: readonly string[]): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  for (const item of items) {
    const separator = item.indexOf('=');
    if (separator <= 0) throw new OrioleError('invalid_request', `--set expects key=value; got '${item.slice(0, 40)}'`);
    const value = item.slice(separator + 1);
    try {
      config[item.slice(0, separator).trim()] = JSON.parse(value);
    } catch {
      config[item.slice(0, separator).trim()] = value;
    }
  }
  return config;
}
