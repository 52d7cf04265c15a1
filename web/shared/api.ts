import type {
  AnswerRequest,
  AnswerResponse,
  AnswerStreamEvent,
  ApiErrorBody,
  Citation,
  FeedbackRequest,
  KnowledgeBase,
} from './api-types.ts';
import { readServerSentEvents } from './sse.ts';

/** An error answer from the API, with its stable code (`unauthorized`, `rate_limited`, …). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The error's `details` (e.g. the `field` or the validation `issues` a 400 names), when it has any. */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ApiClientOptions {
  /** The API's origin ('' for the page's own). */
  baseUrl: string;
  /** The key sent as `Authorization: Bearer`, read at each call (it may be entered later); never put in a URL. */
  key?: () => string | undefined;
}

export interface ApiClient {
  listKbs(signal?: AbortSignal): Promise<KnowledgeBase[]>;
  /** Streams an answer: `delta`, `citation`, then `done` or `error`. */
  streamAnswer(request: AnswerRequest, signal?: AbortSignal): AsyncGenerator<AnswerStreamEvent>;
  sendFeedback(feedback: FeedbackRequest): Promise<void>;
  /** Any other JSON call, typed by the caller against api-types.ts (the admin console's routes). */
  json<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T>;
}

export function createApiClient(options: ApiClientOptions): ApiClient {
  const headers = (extra: Record<string, string> = {}): Record<string, string> => {
    const key = options.key?.();
    return { ...extra, ...(key ? { Authorization: `Bearer ${key}` } : {}) };
  };
  const send = async (method: string, path: string, body: unknown, accept: string, signal?: AbortSignal): Promise<Response> => {
    const response = await fetch(options.baseUrl + path, {
      method,
      headers: headers({ Accept: accept, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) }),
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      ...(signal ? { signal } : {}),
      credentials: 'omit',
    });
    if (!response.ok) throw await apiError(response);
    return response;
  };
  const json = async <T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> =>
    (await (await send(method, path, body, 'application/json', signal)).json()) as T;

  return {
    json,
    async listKbs(signal) {
      return (await json<{ kbs: KnowledgeBase[] }>('GET', '/kbs', undefined, signal)).kbs;
    },
    async *streamAnswer(request, signal) {
      const response = await send('POST', '/answer', { ...request, stream: true }, 'text/event-stream', signal);
      if (!response.body) throw new ApiError(response.status, 'internal', 'The answer stream has no body');
      for await (const message of readServerSentEvents(response.body)) {
        const event = answerEvent(message.event, message.data);
        if (event) yield event;
        if (event?.type === 'done' || event?.type === 'error') return;
      }
    },
    async sendFeedback(feedback) {
      await send('POST', '/feedback', feedback, 'application/json');
    },
  };
}

function answerEvent(name: string, data: string): AnswerStreamEvent | undefined {
  const payload = JSON.parse(data) as unknown;
  switch (name) {
    case 'delta':
      return { type: 'delta', text: (payload as { text: string }).text };
    case 'citation':
      return { type: 'citation', citation: payload as Citation };
    case 'done':
      return { type: 'done', response: payload as AnswerResponse };
    case 'error':
      return { type: 'error', error: (payload as ApiErrorBody).error };
    default:
      // `sources` and events a newer server adds: not shown.
      return undefined;
  }
}

export async function apiError(response: Response): Promise<ApiError> {
  try {
    const body = (await response.json()) as ApiErrorBody;
    return new ApiError(response.status, body.error.code, body.error.message, body.error.details);
  } catch {
    return new ApiError(response.status, 'internal', `HTTP ${response.status}`);
  }
}
