import { assertEmbedderMatches, OrioleError } from '../../src/core/index.ts';
import type { DocumentUpload, IngestionService, KbAccessCheck, QueuedDocuments } from '../../src/core/index.ts';
import { checkCrawlStartUrl, defaultCrawlSettings } from '../web/index.ts';
import {
  bumpKnowledgeBaseVersion,
  createCrawlJob,
  createIngestJob,
  deleteDocumentById,
  ensureKnowledgeBase,
  findKnowledgeBase,
  getDocument,
  reserveDocument,
  type Database,
  type JobItemInput,
  type KnowledgeBase,
} from '../../src/db/index.ts';

export interface IngestionServiceDependencies {
  database: Database;
  /** The embedder spec this server embeds with: recorded on new KBs, required of KBs written to. */
  embedder: string;
  detectContentType: IngestionService['detectContentType'];
  isSupported: IngestionService['isSupported'];
  /** Told when a job was queued, so a worker in this process starts on it at once. */
  onJobQueued(): void;
  /** ORIOLE_ALLOW_PRIVATE_NETWORK: whether a crawl may start at a private or loopback address. */
  allowPrivateNetwork: boolean;
  /** ORIOLE_DEFAULT_KB: the one KB an upload creates when it does not exist yet (see knowledgeBaseToWrite). */
  defaultKb: string;
}

/** Queueing and deleting documents, the way the job worker expects to find them. */
export function createIngestionService(dependencies: IngestionServiceDependencies): IngestionService {
  const { database, embedder } = dependencies;

  /**
   * The KB an upload or crawl writes to. Only the server's default KB is created on first
   * use (an upload that names no KB, on a fresh server); any other must exist already, so
   * a typo in `kb` is a 404 rather than a new, silently separate KB (`POST /kbs` creates one).
   */
  async function knowledgeBaseToWrite(kbName: string): Promise<KnowledgeBase> {
    if (kbName === dependencies.defaultKb) return ensureKnowledgeBase(database, { name: kbName, embedder });
    const kb = await findKnowledgeBase(database, kbName);
    if (kb) return kb;
    throw new OrioleError('not_found', `Knowledge base '${kbName}' does not exist; create it first with POST /kbs`, {
      details: { kb: kbName },
    });
  }

  return {
    detectContentType: dependencies.detectContentType,
    isSupported: dependencies.isSupported,
    async queueDocuments(kbName, documents, access) {
      const kb = await knowledgeBaseToWrite(kbName);
      access(kb.id);
      assertEmbedderMatches(kb, embedder);
      const queued = await reserveAndQueue(database, kb, documents);
      dependencies.onJobQueued();
      return queued;
    },
    async queueCrawl(kbName, request, access) {
      // Refused here, with a 400, rather than failing later in the worker.
      checkCrawlStartUrl(request.url, { allowPrivateNetwork: dependencies.allowPrivateNetwork });
      const kb = await knowledgeBaseToWrite(kbName);
      access(kb.id);
      assertEmbedderMatches(kb, embedder);
      const job = await createCrawlJob(database, {
        kbId: kb.id,
        url: request.url,
        maxPages: request.maxPages ?? defaultCrawlSettings.maxPages,
        maxDepth: request.maxDepth ?? defaultCrawlSettings.maxDepth,
      });
      dependencies.onJobQueued();
      return { jobId: job.id, documents: [] };
    },
    async deleteDocument(id, access: KbAccessCheck) {
      await database.transaction(async (transaction) => {
        access((await getDocument(transaction, id)).kbId);
        const { kbId } = await deleteDocumentById(transaction, id);
        await bumpKnowledgeBaseVersion(transaction, kbId);
      });
    },
  };
}

/** Each document gets its id (a `pending` row) and the job its items, in one transaction. */
async function reserveAndQueue(database: Database, kb: KnowledgeBase, documents: readonly DocumentUpload[]): Promise<QueuedDocuments> {
  return database.transaction(async (transaction) => {
    const items: JobItemInput[] = [];
    for (const document of documents) {
      const reserved = await reserveDocument(transaction, { kbId: kb.id, source: document.source, contentType: document.contentType });
      items.push({ ...document, documentId: reserved.id });
    }
    const job = await createIngestJob(transaction, { kbId: kb.id, items });
    return { jobId: job.id, documents: items.map((item) => ({ id: item.documentId!, source: item.source })) };
  });
}

