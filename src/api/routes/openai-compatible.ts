import { z } from '@hono/zod-openapi';
import { OrioleError } from '../../core/index.ts';
import type { AnswerResponse, Citation } from '../../core/index.ts';
import { citationMarker } from '../../answer/index.ts';
import { CitationSchema } from '../schemas.ts';

/**
 * What the two OpenAI-compatible routes (/v1/chat/completions, /v1/responses) share:
 * the answer's text as a chat UI shows it, the extra fields a program acts on, and the
 * token usage in each protocol's shape.
 */

/**
 * An answer with the fields later parts of the answer pipeline may add (a hand-off on an
 * abstention, a calibrated confidence): passed through when present.
 */
type AnswerWithExtras = AnswerResponse & { handoff?: unknown; confidence?: number };

/** The extra fields both routes put beside OpenAI's own: what a program needs to act on the answer. */
export function answerExtras(response: AnswerResponse): {
  abstained: boolean;
  reason?: string;
  citations: Citation[];
  handoff?: Record<string, unknown>;
  confidence?: number;
  conversationId?: string;
} {
  const extras = response as AnswerWithExtras;
  return {
    abstained: response.abstained,
    ...(response.abstained && response.reason ? { reason: response.reason } : {}),
    citations: response.citations,
    ...(isRecord(extras.handoff) ? { handoff: extras.handoff } : {}),
    ...(typeof extras.confidence === 'number' ? { confidence: extras.confidence } : {}),
    ...(response.conversationId ? { conversationId: response.conversationId } : {}),
  };
}

export const AnswerExtrasShape = {
  abstained: z.boolean().openapi({ description: 'Oriole: true when no passage supported an answer and the text says so' }),
  reason: z.string().optional().openapi({ description: 'Oriole: why it abstained (`no_passages`, `low_coverage`, `unsupported`, `model_declined`, `low_confidence`, `conflicting_sources`); only when abstained' }),
  citations: z.array(CitationSchema).openapi({ description: 'Oriole: the sources the answer cites, numbered as its `[n]` markers' }),
  handoff: z
    .record(z.string(), z.unknown())
    .optional()
    .openapi({ description: 'Oriole: where to send the user when the answer hands off to a person (url, email, label), when the KB sets one' }),
  confidence: z.number().min(0).max(1).optional().openapi({ description: "Oriole: the answer's calibrated confidence, when answers carry one" }),
  conversationId: z
    .string()
    .optional()
    .openapi({ description: 'Oriole: the conversation this answer belongs to (docs/conversations.md); send it back to continue' }),
};

/** Said in `usage.note` when the counts are 0 because no model ran, or ran without reporting them. */
export function usageNote(response: AnswerResponse): string | undefined {
  if (response.usage) return undefined;
  if (response.cached) return 'Served from the answer cache: no language model was called for this answer.';
  if (response.mode === 'generative') return 'The language model reported no token usage.';
  return 'No language model was called: the answer was extracted from the passages (or withheld).';
}

/** Chat Completions' `usage`, with Oriole's `note` when the counts are 0 for a reason. */
export function chatCompletionUsage(response: AnswerResponse) {
  const note = usageNote(response);
  return {
    prompt_tokens: response.usage?.inputTokens ?? 0,
    completion_tokens: response.usage?.outputTokens ?? 0,
    total_tokens: response.usage?.totalTokens ?? 0,
    ...(note ? { note } : {}),
  };
}

/** The Responses API's `usage` (details included, as the reference has them), with Oriole's `note`. */
export function responsesUsage(response: AnswerResponse) {
  const note = usageNote(response);
  return {
    input_tokens: response.usage?.inputTokens ?? 0,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: response.usage?.outputTokens ?? 0,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: response.usage?.totalTokens ?? 0,
    ...(note ? { note } : {}),
  };
}

export const usageNoteSchema = z
  .string()
  .optional()
  .openapi({ description: 'Oriole: why the counts are 0 (an extractive or cached answer called no model)' });

/** The answer with its numbered sources, for chat UIs that only show the message text. */
export function withSources(response: AnswerResponse): string {
  return response.answer + sourcesSuffix(response.citations);
}

/** `\n\nSources:\n[1] Title › Heading (url)…`, or '' when nothing is cited. */
export function sourcesSuffix(citations: Citation[]): string {
  if (citations.length === 0) return '';
  const lines = citations.map((citation) => {
    const label = [citation.title ?? citation.source, citation.heading && citation.heading !== citation.title ? citation.heading : null]
      .filter(Boolean)
      .join(' › ');
    return `${citationMarker(citation.index)} ${label}${citation.url ? ` (${citation.url})` : ` (${citation.source})`}`;
  });
  return `\n\nSources:\n${lines.join('\n')}`;
}

/** The text of an OpenAI message's content: a string, or its text parts joined (images and files carry no question). */
export function textOfContent(content: string | ReadonlyArray<{ type: string; text?: string | undefined }> | null | undefined, textTypes: readonly string[]): string {
  if (typeof content === 'string') return content.trim();
  if (!content) return '';
  return content
    .map((part) => (textTypes.includes(part.type) && typeof part.text === 'string' ? part.text : ''))
    .join('\n')
    .trim();
}

/** Refuses a message whose text (its text parts joined) is longer than `max`, naming it as the validator would. */
export function checkLength(text: string, path: string, max: number, what: string): void {
  if (text.length <= max) return;
  const message = `${what} has ${text.length} characters; at most ${max}`;
  throw new OrioleError('invalid_request', `Invalid request: ${path}: ${message}`, { details: { issues: [{ path, message }] } });
}

export function seconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
