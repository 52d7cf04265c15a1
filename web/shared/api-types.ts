/**
 * The parts of the public API the pages read, written from GET /openapi.json. Only the
 * fields the UI uses are listed (so an added server field breaks nothing); each list below
 * must name exactly the fields of its type, and test/web/api-contract.test.ts checks every
 * one against the app's OpenAPI document, so a renamed or removed field fails the suite.
 * This file is DOM-free: the test imports it under Node.
 */

export interface ApiErrorBody {
  error: { code: string; message: string; requestId?: string; details?: Record<string, unknown> };
}

export interface KnowledgeBase {
  name: string;
  documentCount?: number;
}

export interface ChatTurn {
  role: 'user' | 'assistant';
  content: string;
}

export interface AnswerRequest {
  question: string;
  kb?: string;
  history?: ChatTurn[];
  stream?: boolean;
  metadata?: { channel?: string };
  conversationId?: string;
}

export interface Citation {
  index: number;
  documentId: string;
  source: string;
  title: string | null;
  url: string | null;
  heading: string | null;
  snippet: string;
  supported: boolean;
}

/** Where a person can take over: on an abstention when the KB has a contact set, and on a request for a human. */
export interface AnswerHandoff {
  reason: 'abstained' | 'requested';
  url?: string;
  email?: string;
  label?: string;
}

export interface AnswerResponse {
  answerId: string;
  conversationId?: string;
  answer: string;
  abstained: boolean;
  reason?: string;
  citations: Citation[];
  handoff?: AnswerHandoff;
}

export interface FeedbackRequest {
  answerId: string;
  rating: 'up' | 'down';
  comment?: string;
}

/** One `/answer` stream event, as the SSE `event:` names it (see POST /answer's description). */
export type AnswerStreamEvent =
  | { type: 'delta'; text: string }
  | { type: 'citation'; citation: Citation }
  | { type: 'done'; response: AnswerResponse }
  | { type: 'error'; error: ApiErrorBody['error'] };

/** Exactly T's fields; a field holding objects lists theirs (checked with its own `satisfies`). */
type Fields<T> = { readonly [K in keyof Required<T>]: true | Readonly<Record<string, true>> };

/** Operation (as `METHOD /path` in the OpenAPI document) → the schema fields the client sends or reads. */
export const apiContract = {
  'GET /kbs': { response: { kbs: { name: true, documentCount: true } satisfies Fields<KnowledgeBase> } },
  'POST /answer': {
    request: { question: true, kb: true, history: true, stream: true, metadata: true, conversationId: true } satisfies Fields<AnswerRequest>,
    response: {
      answerId: true,
      conversationId: true,
      answer: true,
      abstained: true,
      reason: true,
      citations: {
        index: true,
        documentId: true,
        source: true,
        title: true,
        url: true,
        heading: true,
        snippet: true,
        supported: true,
      } satisfies Fields<Citation>,
      handoff: { reason: true, url: true, email: true, label: true } satisfies Fields<AnswerHandoff>,
    } satisfies Fields<AnswerResponse>,
  },
  'POST /feedback': { request: { answerId: true, rating: true, comment: true } satisfies Fields<FeedbackRequest> },
} as const;
