import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { defaultEvalOptions, evalCaseLimits, evalCaseSchema, evalSetName } from '../../core/index.ts';
import {
  deleteEvalSet,
  getEvalJob,
  getEvalSet,
  getKnowledgeBase,
  listEvalJobs,
  listEvalSets,
  type EvalJobSummary,
  saveEvalSet,
  type EvalSetSummary,
  type Job,
} from '../../db/index.ts';
import { authorizeKbResource, requestKb } from '../auth.ts';
import type { AppEnvironment } from '../context.ts';
import { ErrorSchema, KnowledgeBaseNameSchema, errorResponses } from '../schemas.ts';

const EvalSetNameSchema = z
  .string()
  .regex(evalSetName.pattern, evalSetName.description)
  .openapi({ example: 'golden' });

/** Case ids must be unique: comparisons between runs match cases by id. */
const EvalCasesSchema = z
  .array(evalCaseSchema)
  .min(1)
  .max(evalCaseLimits.maxCases)
  .superRefine((cases, check) => {
    const firstIndex = new Map<string, number>();
    cases.forEach((evalCase, index) => {
      const first = firstIndex.get(evalCase.id);
      if (first === undefined) firstIndex.set(evalCase.id, index);
      else check.addIssue({ code: 'custom', path: [index, 'id'], message: `duplicate id '${evalCase.id}' (also case ${first})` });
    });
  })
  .openapi({ description: 'Eval cases as in an eval set file (docs/evals.md, "Eval sets")' });

const CreateEvalSchema = z
  .object({
    kb: KnowledgeBaseNameSchema.optional(),
    cases: EvalCasesSchema.optional(),
    evalSet: EvalSetNameSchema.optional().openapi({ description: 'The name of a set stored with POST /eval-sets' }),
    k: z.number().int().min(1).max(20).optional().openapi({ description: `Passages per answer; default ${defaultEvalOptions.k}` }),
    concurrency: z
      .number()
      .int()
      .min(1)
      .max(8)
      .optional()
      .openapi({ description: `Cases answered at once; default ${defaultEvalOptions.concurrency}` }),
  })
  .strict()
  .refine((body) => (body.cases === undefined) !== (body.evalSet === undefined), {
    message: 'give either cases or evalSet (a stored set), exactly one of them',
  })
  .openapi('CreateEval');

const ProgressSchema = z.object({ done: z.number().int(), total: z.number().int() });
const StatusSchema = z.enum(['queued', 'running', 'succeeded', 'failed']);

const QueuedEvalSchema = z.object({ id: z.string().uuid(), status: StatusSchema, progress: ProgressSchema }).openapi('QueuedEval');

// Documents the report's main fields; the full shape is `EvalReport` (evals/types.ts), the CLI's report.json.
const EvalReportSchema = z
  .looseObject({
    formatVersion: z.literal(1),
    summary: z
      .record(z.string(), z.number().nullable())
      .openapi({ description: 'retrieval.hit_at_k … latency.p95_ms; null where no case defines the metric' }),
    counts: z.looseObject({ cases: z.number().int(), passed: z.number().int(), errors: z.number().int() }),
    rows: z.array(z.looseObject({ id: z.string(), question: z.string(), answer: z.string(), failure: z.string().nullable() })),
    config: z.looseObject({ kb: z.string(), k: z.number().int(), evalSet: z.string(), llm: z.string() }),
    startedAt: z.string(),
    finishedAt: z.string(),
    durationMs: z.number(),
  })
  .openapi('EvalReport');

const EvalSchema = z
  .object({
    id: z.string(),
    kb: z.string(),
    evalSet: z.string().openapi({ description: "The stored set's name, or 'inline'" }),
    status: StatusSchema,
    progress: ProgressSchema.openapi({ description: 'Cases answered so far, of all' }),
    error: z.string().nullable(),
    createdAt: z.string(),
    finishedAt: z.string().nullable(),
    report: EvalReportSchema.nullable().openapi({ description: 'Once succeeded: the report, as `oriole eval` writes report.json' }),
  })
  .openapi('Eval');

const EvalRunSummarySchema = EvalSchema.omit({ report: true })
  .extend({
    summary: z
      .record(z.string(), z.number().nullable())
      .nullable()
      .openapi({ description: "Once succeeded: the report's summary metrics; the whole report is at GET /evals/{id}" }),
  })
  .openapi('EvalRunSummary');

const SaveEvalSetSchema = z
  .object({ kb: KnowledgeBaseNameSchema.optional(), name: EvalSetNameSchema, cases: EvalCasesSchema })
  .strict()
  .openapi('SaveEvalSet');

const EvalSetSummarySchema = z
  .object({
    name: z.string(),
    kb: z.string(),
    caseCount: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('EvalSetSummary');

const SavedEvalSetSchema = EvalSetSummarySchema.extend({
  replaced: z.boolean().openapi({ description: 'True when a set of this name existed and its cases were replaced' }),
}).openapi('SavedEvalSet');

const EvalSetSchema = EvalSetSummarySchema.extend({ cases: z.array(evalCaseSchema) }).openapi('EvalSet');

const IdParams = z.object({ id: z.string().max(64).openapi({ param: { name: 'id', in: 'path' } }) });
const NameParams = z.object({ name: z.string().max(100).openapi({ param: { name: 'name', in: 'path' } }) });
const KbQuery = z.object({ kb: KnowledgeBaseNameSchema.optional() });

const jsonError = (description: string) => ({ description, content: { 'application/json': { schema: ErrorSchema } } });

const createEvalRoute = createRoute({
  method: 'post',
  path: '/evals',
  summary: 'Run an eval set (sent inline or stored) against a knowledge base, as a background job',
  request: { body: { required: true, content: { 'application/json': { schema: CreateEvalSchema } } } },
  responses: {
    202: { description: 'Queued; poll GET /evals/{id}', content: { 'application/json': { schema: QueuedEvalSchema } } },
    400: errorResponses[400],
    404: jsonError('No such knowledge base or stored eval set'),
    413: jsonError('Body larger than 10 MB'),
    503: errorResponses[503],
  },
});

const listEvalsRoute = createRoute({
  method: 'get',
  path: '/evals',
  summary: "A knowledge base's eval runs, newest first, with their status, progress and summary metrics",
  request: {
    query: z.object({
      kb: KnowledgeBaseNameSchema.optional(),
      limit: z.coerce.number().int().min(1).max(200).default(50),
    }),
  },
  responses: {
    200: { description: 'The runs', content: { 'application/json': { schema: z.object({ evals: z.array(EvalRunSummarySchema) }) } } },
    400: errorResponses[400],
    404: jsonError('No such knowledge base'),
  },
});

const getEvalRoute = createRoute({
  method: 'get',
  path: '/evals/{id}',
  summary: 'An eval run: its status and progress, and its report once it succeeded',
  request: { params: IdParams },
  responses: {
    200: { description: 'The eval run', content: { 'application/json': { schema: EvalSchema } } },
    404: jsonError('No eval with this id'),
  },
});

const evalReportHtmlRoute = createRoute({
  method: 'get',
  path: '/evals/{id}/report.html',
  summary: "A succeeded eval run's report as a standalone HTML page",
  request: { params: IdParams },
  responses: {
    200: { description: 'The report page', content: { 'text/html': { schema: z.string() } } },
    404: jsonError('No eval with this id'),
    409: jsonError('The eval is still queued or running, or it failed: there is no report'),
  },
});

const saveEvalSetRoute = createRoute({
  method: 'post',
  path: '/eval-sets',
  summary: 'Store an eval set for a knowledge base; an existing set of the same name has its cases replaced',
  request: { body: { required: true, content: { 'application/json': { schema: SaveEvalSetSchema } } } },
  responses: {
    201: { description: 'Created', content: { 'application/json': { schema: SavedEvalSetSchema } } },
    200: { description: 'Replaced the cases of the set of this name', content: { 'application/json': { schema: SavedEvalSetSchema } } },
    400: errorResponses[400],
    404: jsonError('No such knowledge base'),
    413: jsonError('Body larger than 10 MB'),
    503: errorResponses[503],
  },
});

const listEvalSetsRoute = createRoute({
  method: 'get',
  path: '/eval-sets',
  summary: "A knowledge base's stored eval sets, without their cases",
  request: { query: KbQuery },
  responses: {
    200: {
      description: 'The stored sets by name',
      content: { 'application/json': { schema: z.object({ evalSets: z.array(EvalSetSummarySchema) }) } },
    },
    400: errorResponses[400],
    404: jsonError('No such knowledge base'),
  },
});

const getEvalSetRoute = createRoute({
  method: 'get',
  path: '/eval-sets/{name}',
  summary: 'A stored eval set with its cases',
  request: { params: NameParams, query: KbQuery },
  responses: {
    200: { description: 'The set', content: { 'application/json': { schema: EvalSetSchema } } },
    400: errorResponses[400],
    404: jsonError('No such knowledge base or eval set'),
  },
});

const deleteEvalSetRoute = createRoute({
  method: 'delete',
  path: '/eval-sets/{name}',
  summary: 'Delete a stored eval set (finished runs keep their reports)',
  request: { params: NameParams, query: KbQuery },
  responses: { 204: { description: 'Deleted' }, 400: errorResponses[400], 404: jsonError('No such knowledge base or eval set') },
});

export function evalRoutes(): OpenAPIHono<AppEnvironment> {
  const app = new OpenAPIHono<AppEnvironment>();
  app.openapi(createEvalRoute, async (context) => {
    const { evals } = context.get('dependencies');
    const { kb, ...run } = context.req.valid('json');
    const queued = await evals.startEvalRun({ kb: requestKb(context, kb), ...run });
    return context.json(queued, 202);
  });

  app.openapi(listEvalsRoute, async (context) => {
    const { database } = context.get('dependencies');
    const query = context.req.valid('query');
    const kb = await getKnowledgeBase(database, requestKb(context, query.kb));
    const runs = await listEvalJobs(database, { kbId: kb.id, limit: query.limit });
    return context.json({ evals: runs.map(toRunSummary) }, 200);
  });

  app.openapi(getEvalRoute, async (context) => {
    const { id } = context.req.valid('param');
    const job = await getEvalJob(context.get('dependencies').database, id);
    authorizeKbResource(context, job.kbId, 'eval', id);
    return context.json(toEvalResponse(job), 200);
  });

  app.openapi(evalReportHtmlRoute, async (context) => {
    const { id } = context.req.valid('param');
    const job = await getEvalJob(context.get('dependencies').database, id);
    authorizeKbResource(context, job.kbId, 'eval', id);
    const html = context.get('dependencies').evals.reportHtml(job);
    return context.body(html, 200, { 'Content-Type': 'text/html; charset=utf-8' });
  });

  app.openapi(saveEvalSetRoute, async (context) => {
    const { database } = context.get('dependencies');
    const body = context.req.valid('json');
    const kb = await getKnowledgeBase(database, requestKb(context, body.kb));
    const { evalSet, replaced } = await saveEvalSet(database, { kbId: kb.id, name: body.name, cases: body.cases });
    return context.json({ ...toSetSummary(evalSet, kb.name), replaced }, replaced ? 200 : 201);
  });

  app.openapi(listEvalSetsRoute, async (context) => {
    const { database } = context.get('dependencies');
    const kb = await getKnowledgeBase(database, requestKb(context, context.req.valid('query').kb));
    const sets = await listEvalSets(database, kb.id);
    return context.json({ evalSets: sets.map((set) => toSetSummary(set, kb.name)) }, 200);
  });

  app.openapi(getEvalSetRoute, async (context) => {
    const { database } = context.get('dependencies');
    const kb = await getKnowledgeBase(database, requestKb(context, context.req.valid('query').kb));
    const evalSet = await getEvalSet(database, { kbId: kb.id, name: context.req.valid('param').name });
    // Stored by this route after validation, so they are cases.
    const cases = evalSet.cases as z.infer<typeof evalCaseSchema>[];
    return context.json({ ...toSetSummary(evalSet, kb.name), cases }, 200);
  });

  app.openapi(deleteEvalSetRoute, async (context) => {
    const { database } = context.get('dependencies');
    const kb = await getKnowledgeBase(database, requestKb(context, context.req.valid('query').kb));
    await deleteEvalSet(database, { kbId: kb.id, name: context.req.valid('param').name });
    return context.body(null, 204);
  });

  return app;
}

function toRunSummary(run: EvalJobSummary): z.infer<typeof EvalRunSummarySchema> {
  const { report: _none, ...fields } = toEvalResponse({ ...run, result: null });
  return { ...fields, summary: run.status === 'succeeded' ? run.summary : null };
}

function toEvalResponse(job: Job & { kbName: string }): z.infer<typeof EvalSchema> {
  return {
    id: job.id,
    kb: job.kbName,
    evalSet: typeof job.payload.evalSet === 'string' ? job.payload.evalSet : 'inline',
    status: job.status,
    progress: job.progress,
    error: job.error,
    createdAt: job.createdAt.toISOString(),
    finishedAt: job.finishedAt?.toISOString() ?? null,
    report: job.status === 'succeeded' ? (job.result as z.infer<typeof EvalReportSchema> | null) : null,
  };
}

function toSetSummary(evalSet: EvalSetSummary, kb: string): z.infer<typeof EvalSetSummarySchema> {
  return {
    name: evalSet.name,
    kb,
    caseCount: evalSet.caseCount,
    createdAt: evalSet.createdAt.toISOString(),
    updatedAt: evalSet.updatedAt.toISOString(),
  };
}
