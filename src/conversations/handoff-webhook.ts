import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type { ConversationTranscript } from './transcript.ts';

/**
 * The hand-off webhook (docs/conversations.md, "Hand-off webhook"): when a conversation is
 * handed to a human for the first time, its transcript is POSTed as JSON to
 * ORIOLE_HANDOFF_WEBHOOK_URL, signed with ORIOLE_HANDOFF_WEBHOOK_SECRET. Delivery runs off
 * the request path: the route answers at once; failed attempts (network errors, timeouts,
 * 408, 429 and 5xx) are retried with growing delays a bounded number of times; every
 * failure is reported (logged and counted by the caller), never thrown.
 */

/** `v1=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>`. */
export const handoffSignatureHeader = 'X-Oriole-Signature';
/** Unix seconds when the attempt was signed; receivers refuse old ones (replays). */
export const handoffTimestampHeader = 'X-Oriole-Timestamp';
/** The same for every attempt of one delivery: receivers may drop a repeat. */
export const handoffDeliveryHeader = 'X-Oriole-Delivery';

/** How long a receiver should accept a signed timestamp, by default: five minutes either way. */
export const defaultSignatureToleranceSeconds = 300;

export interface HandoffEvent {
  conversation: ConversationTranscript;
}

/** The JSON body a receiver gets. */
export interface HandoffWebhookBody {
  type: 'conversation.handed_off';
  deliveryId: string;
  conversation: ConversationTranscript;
}

export type HandoffDeliveryResult = 'delivered' | 'retry' | 'failed';

export interface HandoffWebhookOptions {
  url: string;
  secret: string;
  /** Waits before the 2nd, 3rd… attempts; its length + 1 attempts in all. */
  retryDelaysMs?: readonly number[];
  /** One attempt's limit, connection to response. */
  attemptTimeoutMs?: number;
  /** Told about each attempt's result, for the log and the metric; never throws. */
  onResult?: (result: HandoffDeliveryResult, detail: { conversationId: string; deliveryId: string; attempt: number; problem?: string }) => void;
  now?: () => Date;
}

/** Five attempts over about two and a half minutes. */
export const defaultHandoffRetryDelaysMs: readonly number[] = [1_000, 5_000, 30_000, 120_000];
export const defaultHandoffAttemptTimeoutMs = 10_000;

export interface HandoffNotifier {
  /** Queues a delivery and returns at once. */
  notify(event: HandoffEvent): void;
  /** Resolves when every queued delivery has succeeded or given up (tests, shutdown). */
  idle(): Promise<void>;
}

export function createHandoffWebhook(options: HandoffWebhookOptions): HandoffNotifier {
  const delays = options.retryDelaysMs ?? defaultHandoffRetryDelaysMs;
  const timeoutMs = options.attemptTimeoutMs ?? defaultHandoffAttemptTimeoutMs;
  const now = options.now ?? (() => new Date());
  const pending = new Set<Promise<void>>();

  async function deliver(event: HandoffEvent): Promise<void> {
    const deliveryId = randomUUID();
    const body: HandoffWebhookBody = { type: 'conversation.handed_off', deliveryId, conversation: event.conversation };
    const raw = JSON.stringify(body);
    const detail = { conversationId: event.conversation.id, deliveryId };
    for (let attempt = 1; ; attempt++) {
      const problem = await attemptDelivery(options.url, options.secret, raw, deliveryId, Math.floor(now().getTime() / 1000), timeoutMs);
      if (problem === undefined) return report('delivered', { ...detail, attempt });
      const delay = problem.retryable ? delays[attempt - 1] : undefined;
      if (delay === undefined) return report('failed', { ...detail, attempt, problem: problem.message });
      report('retry', { ...detail, attempt, problem: problem.message });
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }

  function report(result: HandoffDeliveryResult, detail: Parameters<NonNullable<HandoffWebhookOptions['onResult']>>[1]): void {
    try {
      options.onResult?.(result, detail);
    } catch {
      // A failing logger must not stop the retries.
    }
  }

  return {
    notify(event) {
      const delivery = deliver(event).catch(() => {});
      pending.add(delivery);
      void delivery.finally(() => pending.delete(delivery));
    },
    async idle() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
  };
}

/** One POST; undefined when the receiver accepted it (2xx), else what went wrong and whether to try again. */
async function attemptDelivery(
  url: string,
  secret: string,
  raw: string,
  deliveryId: string,
  timestamp: number,
  timeoutMs: number,
): Promise<{ message: string; retryable: boolean } | undefined> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'User-Agent': 'Oriole-Handoff-Webhook',
        [handoffTimestampHeader]: String(timestamp),
        [handoffSignatureHeader]: signHandoffBody(secret, timestamp, raw),
        [handoffDeliveryHeader]: deliveryId,
      },
      body: raw,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    // The body is not read; release the connection.
    await response.body?.cancel().catch(() => {});
    if (response.ok) return undefined;
    const retryable = response.status >= 500 || response.status === 408 || response.status === 429;
    return { message: `HTTP ${response.status}`, retryable };
  } catch (error) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return { message, retryable: true };
  }
}

/** The signature header's value: `v1=` + hex HMAC-SHA256 of `<timestamp>.<raw body>` with the secret. */
export function signHandoffBody(secret: string, timestamp: number, raw: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${raw}`).digest('hex')}`;
}

/**
 * What a receiver does (docs/conversations.md shows it in a few lines): recompute the
 * signature over the raw body as received, compare in constant time, and refuse a
 * timestamp further than `toleranceSeconds` from now.
 */
export function verifyHandoffSignature(input: {
  secret: string;
  raw: string;
  timestamp: string | undefined;
  signature: string | undefined;
  now?: Date;
  toleranceSeconds?: number;
}): boolean {
  if (input.timestamp === undefined || input.signature === undefined || !/^\d{1,12}$/.test(input.timestamp)) return false;
  const timestamp = Number(input.timestamp);
  const nowSeconds = Math.floor((input.now ?? new Date()).getTime() / 1000);
  if (Math.abs(nowSeconds - timestamp) > (input.toleranceSeconds ?? defaultSignatureToleranceSeconds)) return false;
  const expected = Buffer.from(signHandoffBody(input.secret, timestamp, input.raw));
  const given = Buffer.from(input.signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
