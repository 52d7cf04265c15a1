import { z } from '@hono/zod-openapi';
import { sourceTypes } from '../core/index.ts';

/** Sources (docs/sources.md): request and response shapes. Each type's config is checked by its connector. */

export const SourceRunSchema = z
  .object({
    status: z.enum(['succeeded', 'partial', 'failed']).openapi({ description: '`partial`: some items failed, or the listing did not complete (then nothing was deleted)' }),
    mode: z.enum(['full', 'incremental']).openapi({ description: '`full` listings find deletions; `incremental` ones list what changed since the last run' }),
    added: z.number().int(),
    updated: z.number().int(),
    unchanged: z.number().int(),
    deleted: z.number().int(),
    failed: z.number().int(),
    startedAt: z.string(),
    finishedAt: z.string(),
  })
  .openapi('SourceRun');

export const SourceSchema = z
  .object({
    id: z.string(),
    kb: z.string(),
    type: z.enum(sourceTypes),
    name: z.string(),
    config: z.record(z.string(), z.unknown()).openapi({ description: 'The settings, without credentials' }),
    credentials: z.array(z.string()).openapi({ description: 'Names of the credential fields stored (sealed with ORIOLE_SECRET_KEY); values are never returned' }),
    schedule: z.string().nullable().openapi({ description: 'An interval ("6h", "30m", "1d") or a cron expression in UTC; null: synced only on request' }),
    status: z.enum(['queued', 'running', 'succeeded', 'partial', 'failed', 'never']),
    lastRun: SourceRunSchema.nullable(),
    nextRunAt: z.string().nullable(),
    lastError: z.string().nullable(),
    jobId: z.string().nullable().openapi({ description: 'The sync queued or running now' }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Source');

const ScheduleSchema = z.string().trim().min(2).max(100).openapi({ example: '6h' });
const ConfigSchema = z.record(z.string(), z.unknown()).openapi({
  description:
    'web `{ url, maxPages?, maxDepth?, include?, exclude? }`; zendesk `{ url, locale?, email?, token? }`; intercom `{ url?, token }`; ' +
    'confluence `{ url, space, email?, token? }`; github `{ repo, ref?, path?, token?, docsUrl?, apiUrl? }`',
  example: { url: 'https://acme.zendesk.com', locale: 'en-us', email: 'support@acme.com', token: '…' },
});

export const CreateSourceSchema = z
  .object({
    type: z.enum(sourceTypes),
    name: z.string().trim().min(1).max(100),
    config: ConfigSchema,
    schedule: ScheduleSchema.nullable().optional(),
  })
  .strict()
  .openapi('CreateSource');

export const UpdateSourceSchema = z
  .object({
    name: z.string().trim().min(1).max(100).optional(),
    config: ConfigSchema.optional().openapi({ description: 'Merged over the stored config; a key set to null is removed; credentials given replace the stored ones' }),
    schedule: ScheduleSchema.nullable().optional(),
  })
  .strict()
  .openapi('UpdateSource');

export const SyncRequestSchema = z
  .object({ full: z.boolean().optional().openapi({ description: 'List everything, not only what changed (finds deletions at once)' }) })
  .strict()
  .openapi('SyncRequest');

export const SyncedItemSchema = z.object({
  source: z.string(),
  outcome: z.enum(['added', 'updated', 'unchanged', 'skipped', 'deleted', 'failed']),
  documentId: z.string().optional(),
  error: z.string().optional(),
});
