import { z } from '@hono/zod-openapi';
import { requestLimits as limits } from './limits.ts';
import { cleanText } from './schemas.ts';

/** Curated answers (docs/curated-answers.md): request and response shapes, for the API and `oriole curated import`. */

const PhrasingSchema = cleanText()
  .trim()
  .min(1)
  .max(limits.curatedQuestionChars)
  .openapi({ example: 'How do I get a refund?' });

const QuestionsSchema = z
  .array(PhrasingSchema)
  .min(1)
  .max(limits.curatedQuestions)
  .openapi({ description: `1–${limits.curatedQuestions} phrasings of the question, each up to ${limits.curatedQuestionChars} characters` });

const AnswerTextSchema = cleanText()
  .trim()
  .min(1)
  .max(limits.curatedAnswerChars)
  .openapi({ description: `The answer, Markdown, served as written; up to ${limits.curatedAnswerChars} characters` });

const CuratedCitationSchema = z
  .object({ source: cleanText().min(1).max(limits.filterSourceChars).openapi({ example: 'billing/refund-policy.md' }) })
  .strict()
  .openapi('CuratedCitation', { description: 'A document of the KB, by its source; checked to exist' });

const CitationsSchema = z.array(CuratedCitationSchema).max(limits.curatedCitations);
const TagsSchema = z.array(cleanText().trim().min(1).max(limits.curatedTagChars)).max(limits.curatedTags);

export const CreateCuratedAnswerSchema = z
  .object({
    questions: QuestionsSchema.optional().openapi({ description: 'Required unless fromAnswerId gives the first phrasing' }),
    answer: AnswerTextSchema,
    citations: CitationsSchema.optional(),
    tags: TagsSchema.optional(),
    enabled: z.boolean().optional().openapi({ description: 'Default true' }),
    fromAnswerId: z.string().max(64).optional().openapi({
      description: 'An answer of the answers log (a down-rated or abstained one, from GET /analytics/summary): its question becomes the first phrasing',
    }),
  })
  .strict()
  .superRefine((body, check) => {
    if (body.questions === undefined && body.fromAnswerId === undefined) {
      check.addIssue({ code: 'custom', path: ['questions'], message: 'give at least one phrasing of the question (or fromAnswerId)' });
    }
  })
  .openapi('CreateCuratedAnswer');

export const UpdateCuratedAnswerSchema = z
  .object({
    questions: QuestionsSchema.optional(),
    answer: AnswerTextSchema.optional(),
    citations: CitationsSchema.optional(),
    tags: TagsSchema.optional(),
    enabled: z.boolean().optional(),
  })
  .strict()
  .refine((body) => Object.keys(body).length > 0, 'give at least one field to change')
  .openapi('UpdateCuratedAnswer');

export const CuratedAnswerSchema = z
  .object({
    id: z.string(),
    kb: z.string(),
    questions: z.array(z.string()),
    answer: z.string(),
    citations: z.array(z.object({ source: z.string() })),
    tags: z.array(z.string()),
    enabled: z.boolean(),
    hits: z.number().int().openapi({ description: 'Answers served from it' }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('CuratedAnswer');

/** One line of a JSONL import: the API's create shape without fromAnswerId (an id from another server means nothing here). */
export const ImportedCuratedAnswerSchema = z
  .object({
    questions: QuestionsSchema,
    answer: AnswerTextSchema,
    citations: CitationsSchema.optional(),
    tags: TagsSchema.optional(),
    enabled: z.boolean().optional(),
  })
  // Exports carry id, hits and timestamps: a file exported from one KB imports into another.
  .strip();
