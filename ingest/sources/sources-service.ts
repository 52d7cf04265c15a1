import { assertEmbedderMatches, invalidRequest, type KbAccessCheck, type SourcesService, type SourceView } from '../../src/core/index.ts';
import {
  deleteContentSource,
  ensureKnowledgeBase,
  getContentSource,
  getKnowledgeBase,
  getKnowledgeBaseById,
  insertContentSource,
  listContentSources,
  queueSourceSync,
  updateContentSource,
  type ContentSource,
  type Database,
} from '../../src/db/index.ts';
import { isPrivateHost } from '../web/index.ts';
import { missingKey, type CredentialBox } from './credential-box.ts';
import { nextRunAfter, parseSchedule } from './schedule.ts';
import { credentialFieldsOf, isSourceType, parseSourceConfig, type SplitConfig } from './source-types.ts';

export interface SourcesServiceDependencies {
  database: Database;
  /** Seals credentials; null without ORIOLE_SECRET_KEY, and then a source with credentials is refused. */
  credentialBox: CredentialBox | null;
  /** The embedder spec this server embeds with: a KB made with another cannot be synced into. */
  embedder: string;
  /** Told when a sync was queued, so a worker in this process starts on it at once. */
  onSyncQueued(): void;
  /** ORIOLE_DEFAULT_KB: created on first use, as an upload creates it; any other KB must exist. */
  defaultKb: string;
  /** ORIOLE_ALLOW_PRIVATE_NETWORK: whether a source's URLs may name loopback or private addresses. */
  allowPrivateNetwork: boolean;
  now?: () => Date;
}

const maxNameLength = 100;

/** Sources as objects: their settings checked once here, credentials sealed before they are stored. */
export function createSourcesService(dependencies: SourcesServiceDependencies): SourcesService {
  const { database } = dependencies;
  const now = dependencies.now ?? (() => new Date());

  async function view(source: ContentSource): Promise<SourceView> {
    const kb = await getKnowledgeBaseById(database, source.kbId);
    return sourceView(source, kb.name, dependencies.credentialBox);
  }

  async function loadAuthorized(id: string, access: KbAccessCheck): Promise<ContentSource> {
    const source = await getContentSource(database, id);
    access(source.kbId);
    return source;
  }

  function seal(split: SplitConfig): Uint8Array | null {
    if (Object.keys(split.credentials).length === 0) return null;
    if (!dependencies.credentialBox) throw missingKey();
    return dependencies.credentialBox.seal(split.credentials);
  }

  return {
    async create(kbName, input, access) {
      const kb =
        kbName === dependencies.defaultKb
          ? await ensureKnowledgeBase(database, { name: kbName, embedder: dependencies.embedder })
          : await getKnowledgeBase(database, kbName);
      access(kb.id);
      assertEmbedderMatches(kb, dependencies.embedder);
      if (!isSourceType(input.type)) throw invalidRequest(`type: unknown source type '${String(input.type)}'`, { field: 'type' });
      const name = checkedName(input.name);
      const split = parseSourceConfig(input.type, input.config);
      refusePrivateUrls(split.settings, dependencies.allowPrivateNetwork);
      const schedule = input.schedule ? parseSchedule(input.schedule) : null;
      const { source, jobId } = await database.transaction(async (transaction) => {
        const created = await insertContentSource(transaction, {
          kbId: kb.id,
          type: input.type,
          name,
          config: split.settings,
          credentials: seal(split),
          schedule: schedule?.text ?? null,
          nextRunAt: schedule ? nextRunAfter(schedule, now()) : null,
        });
        const { job } = await queueSourceSync(transaction, { sourceId: created.id, kbId: kb.id, trigger: 'created' });
        return { source: await getContentSource(transaction, created.id), jobId: job.id };
      });
      dependencies.onSyncQueued();
      return { source: sourceView(source, kb.name, dependencies.credentialBox), jobId };
    },

    async list(kbName, access) {
      const kb = await getKnowledgeBase(database, kbName);
      access(kb.id);
      const sources = await listContentSources(database, kb.id);
      return sources.map((source) => sourceView(source, kb.name, dependencies.credentialBox));
    },

    async get(id, access) {
      return view(await loadAuthorized(id, access));
    },

    async update(id, changes, access) {
      const source = await loadAuthorized(id, access);
      const schedule = changes.schedule === undefined || changes.schedule === null ? null : parseSchedule(changes.schedule);
      let configChanges: { config?: Record<string, unknown>; credentials?: Uint8Array | null; resetCursor?: boolean } = {};
      if (changes.config !== undefined) {
        const merged = mergeConfig({ ...source.config, ...openCredentials(source) }, changes.config);
        const split = parseSourceConfig(source.type, merged);
        refusePrivateUrls(split.settings, dependencies.allowPrivateNetwork);
        const settingsChanged = JSON.stringify(split.settings) !== JSON.stringify(source.config);
        configChanges = { config: split.settings, credentials: seal(split), resetCursor: settingsChanged };
      }
      const updated = await updateContentSource(database, id, {
        ...(changes.name !== undefined ? { name: checkedName(changes.name) } : {}),
        ...configChanges,
        ...(changes.schedule !== undefined
          ? { schedule: schedule?.text ?? null, nextRunAt: schedule ? nextRunAfter(schedule, now()) : null }
          : {}),
      });
      return view(updated);
    },

    async remove(id, access) {
      await loadAuthorized(id, access);
      const { documents } = await database.transaction((transaction) => deleteContentSource(transaction, id));
      return { documentsRemoved: documents };
    },

    async sync(id, options, access) {
      const source = await loadAuthorized(id, access);
      const kb = await getKnowledgeBaseById(database, source.kbId);
      assertEmbedderMatches(kb, dependencies.embedder);
      const { job, created } = await queueSourceSync(database, {
        sourceId: source.id,
        kbId: source.kbId,
        trigger: 'manual',
        ...(options.full ? { full: true } : {}),
      });
      if (created) dependencies.onSyncQueued();
      return { jobId: job.id, queued: created };
    },
  };

  function openCredentials(source: ContentSource): Record<string, string> {
    if (source.credentials === null) return {};
    if (!dependencies.credentialBox) throw missingKey();
    return dependencies.credentialBox.open(source.credentials);
  }
}

/** A stored source as clients see it: never a credential's value. */
export function sourceView(source: ContentSource, kbName: string, box: CredentialBox | null): SourceView {
  return {
    id: source.id,
    kb: kbName,
    type: source.type,
    name: source.name,
    config: source.config,
    credentials: storedCredentialNames(source, box),
    schedule: source.schedule,
    status: source.pendingJob?.status ?? source.lastRun?.status ?? 'never',
    lastRun: source.lastRun,
    nextRunAt: source.nextRunAt?.toISOString() ?? null,
    lastError: source.lastError,
    jobId: source.pendingJob?.id ?? null,
    createdAt: source.createdAt.toISOString(),
    updatedAt: source.updatedAt.toISOString(),
  };
}

function storedCredentialNames(source: ContentSource, box: CredentialBox | null): string[] {
  if (source.credentials === null) return [];
  if (box === null) return [...credentialFieldsOf(source.type)];
  try {
    return Object.keys(box.open(source.credentials)).sort();
  } catch {
    return [...credentialFieldsOf(source.type)];
  }
}

function mergeConfig(stored: Record<string, unknown>, changes: Record<string, unknown>): Record<string, unknown> {
  const merged = { ...stored };
  for (const [key, value] of Object.entries(changes)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return merged;
}

/**
 * A source whose URL names this machine or a private network by its address is refused
 * at once (400) unless allowed; names that resolve there are refused when synced, by the
 * network guard, since DNS can change after this check.
 */
function refusePrivateUrls(settings: Record<string, unknown>, allowPrivateNetwork: boolean): void {
  if (allowPrivateNetwork) return;
  for (const field of ['url', 'apiUrl']) {
    const value = settings[field];
    if (typeof value !== 'string') continue;
    let host: string;
    try {
      host = new URL(value).hostname;
    } catch {
      continue;
    }
    if (isPrivateHost(host)) {
      throw invalidRequest(
        `config.${field}: '${value}' points at this machine or a private network; set ORIOLE_ALLOW_PRIVATE_NETWORK=true to sync from it`,
        { field: `config.${field}` },
      );
    }
  }
}

function checkedName(name: unknown): string {
  if (typeof name !== 'string' || name.trim() === '' || name.length > maxNameLength) {
    throw invalidRequest(`name: give the source a name of 1 to ${maxNameLength} characters`, { field: 'name' });
  }
  return name.trim();
}
