import { deleteConversationsInactiveSince, type Database } from '../db/index.ts';

/**
 * Conversation retention (ORIOLE_CONVERSATION_RETENTION_DAYS, docs/conversations.md): a
 * conversation with no turn or change of outcome for that many days is deleted with its
 * turns. The answers log and its feedback are kept (analytics read them; they go with
 * their KB). 0 keeps conversations forever.
 */
/** How often `oriole serve` looks for expired conversations. */
export const conversationRetentionIntervalMs = 60 * 60 * 1000;

const dayMs = 24 * 60 * 60 * 1000;

/** Conversations last active before this instant are old; null: none ever is (retention 0). */
export function retentionCutoff(now: Date, retentionDays: number): Date | null {
  if (retentionDays <= 0) return null;
  return new Date(now.getTime() - retentionDays * dayMs);
}

/** Deletes the conversations older than the retention; returns how many. */
export async function deleteExpiredConversations(database: Database, retentionDays: number, now: Date = new Date()): Promise<number> {
  const cutoff = retentionCutoff(now, retentionDays);
  return cutoff === null ? 0 : deleteConversationsInactiveSince(database, cutoff);
}

export interface RetentionLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

/**
 * Runs `deleteExpiredConversations` now and every `intervalMs` (the timer does not keep
 * the process alive); a failure is logged and retried at the next tick. Nothing runs
 * when retention is 0.
 */
export function startConversationRetention(input: {
  database: Database;
  retentionDays: number;
  logger: RetentionLogger;
  intervalMs?: number;
}): { stop(): Promise<void> } {
  if (input.retentionDays <= 0) return { stop: async () => {} };
  let running: Promise<void> = Promise.resolve();
  const sweep = () => {
    running = running.then(async () => {
      try {
        const deleted = await deleteExpiredConversations(input.database, input.retentionDays);
        if (deleted > 0) input.logger.info({ deleted, retentionDays: input.retentionDays }, 'deleted expired conversations');
      } catch (error) {
        input.logger.warn({ err: error }, 'deleting expired conversations failed; trying again later');
      }
    });
  };
  sweep();
  const timer = setInterval(sweep, input.intervalMs ?? conversationRetentionIntervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
