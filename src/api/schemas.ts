import { z } from '@hono/zod-openapi';

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'not_found' }),
      message: z.string(),
      requestId: z.string().optional(),
      details: z.record(z.string(), z.unknown()).optional(),
    }),
  })
  .openapi('Error');

export const KnowledgeBaseNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, "1-64 letters, digits, '.', '_' or '-', starting with a letter or digit")
  .openapi({ example: 'default' });

export const KnowledgeBaseSchema = z
  .object({
    name: z.string(),
    embedder: z.string().openapi({ example: 'transformers:Xenova/bge-small-en-v1.5' }),
    embeddingDim: z.number().int().nullable(),
    version: z.number().int(),
    documentCount: z.number().int().optional(),
    chunkCount: z.number().int().optional(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('KnowledgeBase');

export const CreateKnowledgeBaseSchema = z
  .object({
    name: KnowledgeBaseNameSchema,
    embedder: z
      .string()
      .regex(/^(transformers:\S+|openai:\S+|use-lite|none)$/)
      .optional()
      .openapi({ description: "Embedder spec; defaults to the server's ORIOLE_EMBEDDER" }),
  })
  .strict()
  .openapi('CreateKnowledgeBase');

export const errorResponses = {
  400: { description: 'Invalid request', content: { 'application/json': { schema: ErrorSchema } } },
  503: { description: 'Storage unavailable', content: { 'application/json': { schema: ErrorSchema } } },
} as const;
