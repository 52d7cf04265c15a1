import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { OrioleError, isWebUrl, maxSourceLength, unsupportedTypeAdvice, validateSource, webUrlOrNull, type DocumentUpload } from '../../core/index.ts';
import {
  getDocument,
  getJob,
  getKnowledgeBase,
  getKnowledgeBaseById,
  listDocumentChunks,
  listDocuments,
  type Job,
  type StoredDocument,
} from '../../db/index.ts';
import { authorizeKb, authorizeKbResource, requestKb } from '../auth.ts';
import type { AppEnvironment } from '../context.ts';
import { requestLimits } from '../limits.ts';
import { cleanText, ErrorSchema, KnowledgeBaseNameSchema, errorResponses } from '../schemas.ts';
import { SourceRunSchema, SyncedItemSchema } from '../source-schemas.ts';

const textContentTypes = ['text/markdown', 'text/html', 'text/plain'] as const;

const CreateDocumentSchema = z
  .object({
    kb: KnowledgeBaseNameSchema.optional(),
    source: z.string().min(1).max(maxSourceLength).openapi({ example: 'billing/refunds.md' }),
    title: cleanText().max(500).optional(),
    url: z
      .url()
      .max(2048)
      .refine(isWebUrl, 'must be an http(s) URL')
      .optional()
      .openapi({ description: 'The page readers are sent to; http(s) only', example: 'https://help.example.com/refunds' }),
    contentType: z.enum(textContentTypes).optional(),
    content: z.string().min(1).openapi({
      description: 'The text to index. A lone surrogate becomes U+FFFD and a NUL is removed; the 202 lists such repairs in `warnings`',
    }),
    metadata: z
      .record(z.string(), z.unknown())
      .refine(
        (metadata) => JSON.stringify(metadata).length <= requestLimits.documentMetadataChars,
        `at most ${requestLimits.documentMetadataChars} characters as JSON`,
      )
      .optional(),
    tags: z
      .record(cleanText().max(requestLimits.tagKeyChars), cleanText().max(requestLimits.tagValueChars))
      .refine((tags) => Object.keys(tags).length <= requestLimits.documentTags, `at most ${requestLimits.documentTags} tags`)
      .optional(),
  })
  .strict()
  .openapi('CreateDocument');

/** Bounds of a crawl asked for through the API: generous for a help center, small enough for one job. */
export const apiCrawlLimits = { maxPages: 1_000, maxDepth: 10 } as const;

const CrawlDocumentsSchema = z
  .object({
    kb: KnowledgeBaseNameSchema.optional(),
    url: z
      .url()
      .max(2048)
      .refine(isWebUrl, 'must be an http(s) URL')
      .openapi({
        description:
          'Where the crawl starts: a page, a sitemap, or a site root (its robots.txt sitemaps are read too). Private and loopback addresses are refused unless ORIOLE_ALLOW_PRIVATE_NETWORK=true',
        example: 'https://help.example.com/',
      }),
    crawl: z
      .object({
        maxPages: z.number().int().min(1).max(apiCrawlLimits.maxPages).optional().openapi({ description: 'Most pages fetched; default 200' }),
        maxDepth: z.number().int().min(0).max(apiCrawlLimits.maxDepth).optional().openapi({ description: 'Links followed from the start page; default 3' }),
      })
      .strict()
      .optional(),
  })
  .strict()
  .openapi('CrawlDocuments');

const QueuedSchema = z
  .object({
    jobId: z.string().uuid(),
    documents: z.array(z.object({ id: z.string().uuid(), source: z.string() })),
    warnings: z
      .array(
        z.object({
          source: z.string(),
          field: z.string(),
          message: z.string(),
          replacedSurrogates: z.number().int(),
          removedNuls: z.number().int(),
        }),
      )
      .optional()
      .openapi({ description: 'Repairs made to the uploaded text before it was queued' }),
  })
  .openapi('QueuedDocuments');

const DocumentSchema = z
  .object({
    id: z.string(),
    kb: z.string(),
    source: z.string(),
    title: z.string().nullable(),
    url: z.string().nullable(),
    contentType: z.string(),
    status: z.enum(['pending', 'ready', 'failed']),
    error: z.string().nullable(),
    chunkCount: z.number().int(),
    metadata: z.record(z.string(), z.unknown()),
    tags: z.record(z.string(), z.string()),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Document');

const JobSchema = z
  .object({
    id: z.string(),
    kind: z
      .enum(['ingest', 'crawl', 'eval', 'sync'])
      .openapi({ description: "'crawl' for a crawl queued with POST /documents { url }; 'sync' for a source's sync (docs/sources.md)" }),
    status: z.enum(['queued', 'running', 'succeeded', 'failed']),
    progress: z.object({ done: z.number().int(), total: z.number().int() }).openapi({
      description: "Documents done of all; a running crawl's total is its page budget until it ends",
    }),
    error: z.string().optional(),
    documents: z
      .array(
        z.object({
          source: z.string(),
          documentId: z.string().nullable(),
          status: z.string(),
          outcome: z.string().nullable(),
          error: z.string().nullable(),
          // Why a document was skipped (outcome `skipped`, e.g. no text to index).
          reason: z.string().nullable().optional(),
        }),
      )
      .optional(),
    sync: z
      .object({ sourceId: z.string(), run: SourceRunSchema, items: z.array(SyncedItemSchema), itemsOmitted: z.number().int().optional() })
      .optional()
      .openapi({ description: "A finished sync's run and each item's outcome (the first 1,000)" }),
  })
  .openapi('Job');

const ChunkSchema = z
  .object({
    id: z.string(),
    ordinal: z.number().int().openapi({ description: 'Position in the document, from 0' }),
    headingPath: z.array(z.string()).openapi({ description: 'The headings the chunk sits under, outermost first' }),
    text: z.string(),
    tokenCount: z.number().int(),
    embedded: z.boolean().openapi({ description: 'Whether the chunk has a vector (false: found by keywords only)' }),
  })
  .openapi('Chunk');

const IdParams = z.object({ id: z.string().max(64).openapi({ param: { name: 'id', in: 'path' } }) });
const notFoundResponse = { description: 'Unknown id', content: { 'application/json': { schema: ErrorSchema } } };

const createRouteDefinition = createRoute({
  method: 'post',
  path: '/documents',
  summary: 'Queue documents for ingestion (JSON, or multipart/form-data with `file` parts and an optional `kb`)',
  description:
    'The named `kb` must exist (create it with `POST /kbs`): an unknown name is a 404, so a typo never starts a separate KB. ' +
    "Without `kb`, the server's default KB (ORIOLE_DEFAULT_KB) is used, and created on the first upload.",
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z.union([CreateDocumentSchema, CrawlDocumentsSchema]).openapi({
            description: 'A document with its `content`, or a site to crawl: `url` without `content` queues a crawl job',
          }),
        },
        'multipart/form-data': {
          schema: z.object({ kb: KnowledgeBaseNameSchema.optional(), file: z.any().openapi({ type: 'string', format: 'binary' }) }),
        },
      },
    },
  },
  responses: {
    202: { description: 'Queued', content: { 'application/json': { schema: QueuedSchema } } },
    400: errorResponses[400],
    404: { description: 'No knowledge base of that name', content: { 'application/json': { schema: ErrorSchema } } },
    409: { description: 'Embedder mismatch', content: { 'application/json': { schema: ErrorSchema } } },
    413: { description: 'Too large', content: { 'application/json': { schema: ErrorSchema } } },
    415: { description: 'Unsupported type', content: { 'application/json': { schema: ErrorSchema } } },
    503: errorResponses[503],
  },
});

const listRouteDefinition = createRoute({
  method: 'get',
  path: '/documents',
  summary: 'List the documents of a knowledge base',
  request: {
    query: z.object({
      kb: KnowledgeBaseNameSchema.optional(),
      limit: z.coerce.number().int().min(1).max(500).default(50),
      cursor: z.string().max(200).optional(),
      q: cleanText().trim().max(200).optional().openapi({ description: 'Only documents whose source or title contains this, ignoring case' }),
    }),
  },
  responses: {
    200: {
      description: 'A page of documents',
      content: {
        'application/json': {
          schema: z.object({ documents: z.array(DocumentSchema), nextCursor: z.string().nullable() }),
        },
      },
    },
    400: errorResponses[400],
    404: notFoundResponse,
  },
});

const getRouteDefinition = createRoute({
  method: 'get',
  path: '/documents/{id}',
  summary: 'One document',
  request: { params: IdParams },
  responses: {
    200: { description: 'The document', content: { 'application/json': { schema: DocumentSchema } } },
    404: notFoundResponse,
  },
});

const deleteRouteDefinition = createRoute({
  method: 'delete',
  path: '/documents/{id}',
  summary: 'Delete a document; it stops being searched and cited at once',
  request: { params: IdParams },
  responses: { 204: { description: 'Deleted' }, 404: notFoundResponse },
});

const chunksRouteDefinition = createRoute({
  method: 'get',
  path: '/documents/{id}/chunks',
  summary: "A document's chunks as Oriole split them, in reading order",
  request: {
    params: IdParams,
    query: z.object({
      limit: z.coerce.number().int().min(1).max(500).default(100),
      from: z.coerce.number().int().min(0).max(2_147_483_647).default(0).openapi({ description: 'The first ordinal: a previous page\'s nextOrdinal' }),
    }),
  },
  responses: {
    200: {
      description: 'A page of chunks',
      content: {
        'application/json': {
          schema: z.object({ documentId: z.string(), chunks: z.array(ChunkSchema), nextOrdinal: z.number().int().nullable() }),
        },
      },
    },
    400: errorResponses[400],
    404: notFoundResponse,
  },
});

const jobRouteDefinition = createRoute({
  method: 'get',
  path: '/jobs/{id}',
  summary: 'An ingestion job and its progress',
  request: { params: IdParams },
  responses: {
    200: { description: 'The job', content: { 'application/json': { schema: JobSchema } } },
    404: notFoundResponse,
  },
});

export function documentRoutes(): OpenAPIHono<AppEnvironment> {
  const app = new OpenAPIHono<AppEnvironment>();

  // Documented from its schemas, but validated by hand: the generated validator knows only one body form.
  app.openAPIRegistry.registerPath(createRouteDefinition);
  app.post('/documents', async (context) => {
    if (!isMultipart(context)) {
      const raw = await jsonBody(context);
      if (isCrawlRequest(raw)) return queueCrawl(context, raw);
    }
    const body = isMultipart(context) ? await multipartUpload(context) : await jsonUpload(context);
    const kbName = requestKb(context, body.kb);
    const { ingestion } = context.get('dependencies');
    const queued = await ingestion.queueDocuments(kbName, body.items, (kbId) => authorizeKb(context, { id: kbId, name: kbName }));
    const warnings = repairWarnings(context, body.items);
    return context.json({ ...queued, ...(warnings.length > 0 ? { warnings } : {}) } satisfies z.infer<typeof QueuedSchema>, 202);
  });

  app.openapi(listRouteDefinition, async (context) => {
    const { database } = context.get('dependencies');
    const query = context.req.valid('query');
    const kb = await getKnowledgeBase(database, requestKb(context, query.kb));
    const page = await listDocuments(database, {
      kbId: kb.id,
      limit: query.limit,
      ...(query.cursor ? { cursor: query.cursor } : {}),
      ...(query.q ? { search: query.q } : {}),
    });
    return context.json({ documents: page.documents.map((document) => toResponse(document, kb.name)), nextCursor: page.nextCursor }, 200);
  });

  app.openapi(getRouteDefinition, async (context) => {
    const { database } = context.get('dependencies');
    const { id } = context.req.valid('param');
    const document = await getDocument(database, id);
    authorizeKbResource(context, document.kbId, 'document', id);
    const kbName = await kbNameOf(context, document.kbId);
    return context.json(toResponse(document, kbName), 200);
  });

  app.openapi(chunksRouteDefinition, async (context) => {
    const { database } = context.get('dependencies');
    const { id } = context.req.valid('param');
    const query = context.req.valid('query');
    const document = await getDocument(database, id);
    authorizeKbResource(context, document.kbId, 'document', id);
    const page = await listDocumentChunks(database, { documentId: document.id, from: query.from, limit: query.limit });
    return context.json({ documentId: document.id, ...page }, 200);
  });

  app.openapi(deleteRouteDefinition, async (context) => {
    const { ingestion } = context.get('dependencies');
    const { id } = context.req.valid('param');
    await ingestion.deleteDocument(id, (kbId) => authorizeKbResource(context, kbId, 'document', id));
    return context.body(null, 204);
  });

  app.openapi(jobRouteDefinition, async (context) => {
    const { database } = context.get('dependencies');
    const { id } = context.req.valid('param');
    const job = await getJob(database, id);
    authorizeKbResource(context, job.kbId, 'job', id);
    return context.json(toJobResponse(job), 200);
  });

  return app;
}

interface Upload {
  kb: string | undefined;
  items: DocumentUpload[];
}

function isMultipart(context: Context<AppEnvironment>): boolean {
  return (context.req.header('content-type') ?? '').toLowerCase().startsWith('multipart/form-data');
}

async function jsonBody(context: Context<AppEnvironment>): Promise<unknown> {
  const contentType = (context.req.header('content-type') ?? '').toLowerCase();
  if (!contentType.startsWith('application/json')) {
    throw new OrioleError('unsupported_media_type', 'Send application/json or multipart/form-data');
  }
  // Hono keeps the parsed body, so jsonUpload reads it again for free.
  return context.req.json().catch(() => {
    throw new OrioleError('invalid_request', 'Malformed JSON in request body');
  });
}

/** A JSON body with a `url` and no `content` asks for a crawl; with `content` it is a document (whose `url` is its link). */
function isCrawlRequest(raw: unknown): boolean {
  return typeof raw === 'object' && raw !== null && !Array.isArray(raw) && !('content' in raw) && 'url' in raw;
}

async function queueCrawl(context: Context<AppEnvironment>, raw: unknown): Promise<Response> {
  const parsed = CrawlDocumentsSchema.safeParse(raw);
  if (!parsed.success) {
    throw new OrioleError('invalid_request', `Invalid request: ${parsed.error.issues.map(describeIssue).join('; ')}`);
  }
  const { kb, url, crawl } = parsed.data;
  const kbName = requestKb(context, kb);
  const { ingestion } = context.get('dependencies');
  const queued = await ingestion.queueCrawl(kbName, { url, ...crawl }, (kbId) => authorizeKb(context, { id: kbId, name: kbName }));
  return context.json(queued satisfies z.infer<typeof QueuedSchema>, 202);
}

async function jsonUpload(context: Context<AppEnvironment>): Promise<Upload> {
  const raw = await jsonBody(context);
  const parsed = CreateDocumentSchema.safeParse(raw);
  if (!parsed.success) {
    throw new OrioleError('invalid_request', `Invalid request: ${parsed.error.issues.map(describeIssue).join('; ')}`);
  }
  const body = parsed.data;
  const { ingestion } = context.get('dependencies');
  const bytes = new TextEncoder().encode(body.content);
  checkDocumentSize(body.source, bytes.byteLength, ingestion.limits.maxDocumentBytes);
  const source = validateSource(body.source);
  const detected = ingestion.detectContentType({ source, bytes, ...(body.contentType ? { declared: body.contentType } : {}) });
  const resolved = body.contentType ?? detected;
  if (!resolved || !(textContentTypes as readonly string[]).includes(resolved)) {
    throw new OrioleError('unsupported_media_type', `JSON uploads take text/markdown, text/html or text/plain content`, {
      details: { source, detected },
    });
  }
  return {
    kb: body.kb,
    items: [
      {
        source,
        content: bytes,
        contentType: resolved,
        title: body.title ?? null,
        url: body.url ?? null,
        metadata: body.metadata ?? {},
        tags: body.tags ?? {},
      },
    ],
  };
}

async function multipartUpload(context: Context<AppEnvironment>): Promise<Upload> {
  const { ingestion } = context.get('dependencies');
  const form = await context.req.parseBody({ all: true }).catch((error: unknown) => {
    // A body over its limit (limits.ts) is refused while it streams in, as the parser reads it.
    const overLimit = error instanceof OrioleError ? error : error instanceof Error && error.cause instanceof OrioleError ? error.cause : null;
    if (overLimit) throw overLimit;
    // A client that left mid-upload is logged as such (observability.ts), not blamed for a malformed body.
    if (context.req.raw.signal.aborted) throw error;
    throw new OrioleError('invalid_request', 'Malformed multipart/form-data body');
  });
  const kbField = form.kb;
  if (kbField !== undefined && (typeof kbField !== 'string' || !KnowledgeBaseNameSchema.safeParse(kbField).success)) {
    throw new OrioleError('invalid_request', "Invalid 'kb' field");
  }
  const files = [form.file].flat().filter((part): part is File => part instanceof File);
  if (files.length === 0) throw new OrioleError('invalid_request', "Attach one or more 'file' parts");
  if (files.length > ingestion.limits.maxFilesPerRequest) {
    throw new OrioleError(
      'payload_too_large',
      `At most ${ingestion.limits.maxFilesPerRequest} files per request; got ${files.length}`,
      { details: { limit: ingestion.limits.maxFilesPerRequest } },
    );
  }
  const items: DocumentUpload[] = [];
  for (const file of files) {
    checkDocumentSize(file.name, file.size, ingestion.limits.maxDocumentBytes);
    const source = validateSource(file.name);
    const bytes = new Uint8Array(await file.arrayBuffer());
    const declared = file.type && file.type !== 'application/octet-stream' ? file.type : undefined;
    const contentType = ingestion.detectContentType({ source, bytes, ...(declared ? { declared } : {}) });
    if (!contentType || !ingestion.isSupported(contentType)) {
      const advice = contentType ? unsupportedTypeAdvice(contentType) : undefined;
      throw new OrioleError('unsupported_media_type', `${source}: unsupported document type ${contentType ?? '(unknown)'}${advice ? ` (${advice})` : ''}`, {
        details: { source, detected: contentType },
      });
    }
    items.push({ source, content: bytes, contentType, title: null, url: null, metadata: {}, tags: {} });
  }
  const sources = new Set(items.map((item) => item.source));
  if (sources.size !== items.length) throw new OrioleError('invalid_request', 'Two files have the same name');
  return { kb: typeof kbField === 'string' ? kbField : undefined, items };
}

/** The edge check's repairs to a JSON upload's text (request-text.ts), as the client sees them. */
function repairWarnings(context: Context<AppEnvironment>, items: readonly DocumentUpload[]): NonNullable<z.infer<typeof QueuedSchema>['warnings']> {
  const source = items[0]?.source;
  if (source === undefined) return [];
  return (context.get('textRepairs') ?? []).map((repair) => ({
    source,
    field: repair.field,
    message: `${repair.replacedSurrogates} lone surrogate(s) replaced by U+FFFD and ${repair.removedNuls} NUL character(s) removed`,
    replacedSurrogates: repair.replacedSurrogates,
    removedNuls: repair.removedNuls,
  }));
}

function checkDocumentSize(source: string, size: number, limit: number): void {
  if (size <= limit) return;
  throw new OrioleError('payload_too_large', `${source.slice(0, 120)} is ${size} bytes; the limit is ${limit}`, {
    details: { limit },
  });
}

async function kbNameOf(context: Context<AppEnvironment>, kbId: string): Promise<string> {
  return (await getKnowledgeBaseById(context.get('dependencies').database, kbId)).name;
}

function describeIssue(issue: { path: PropertyKey[]; message: string }): string {
  return issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message;
}

function toResponse(document: StoredDocument, kb: string): z.infer<typeof DocumentSchema> {
  return {
    id: document.id,
    kb,
    source: document.source,
    title: document.title,
    url: webUrlOrNull(document.url),
    contentType: document.contentType,
    status: document.status,
    error: document.error,
    chunkCount: document.chunkCount,
    metadata: document.metadata,
    tags: document.tags,
    createdAt: document.createdAt.toISOString(),
    updatedAt: document.updatedAt.toISOString(),
  };
}

function toJobResponse(job: Job): z.infer<typeof JobSchema> {
  const documents = (job.result as { documents?: z.infer<typeof JobSchema>['documents'] } | null)?.documents;
  const sync = job.kind === 'sync' && job.result && 'run' in job.result ? (job.result as z.infer<typeof JobSchema>['sync']) : undefined;
  return {
    id: job.id,
    kind: job.kind,
    status: job.status,
    progress: job.progress,
    ...(job.error ? { error: job.error } : {}),
    ...(documents ? { documents } : {}),
    ...(sync ? { sync } : {}),
  };
}
