import { useEffect, useRef, useState } from 'preact/hooks';
import type { ApiClient } from './api.ts';
import type { Citation } from './api-types.ts';
import { continuedConversation, historyOf, type Turn } from './turns.ts';

export type { Turn } from './turns.ts';


export interface ConversationOptions {
  client: ApiClient;
  kb: string | undefined;
  /** `metadata.channel` for analytics: 'web' for the chat page, 'widget' for the widget. */
  channel: string;
  /** Keeps finished turns in sessionStorage under this key (the widget: one conversation per tab). */
  storageKey?: string;
}

export interface Conversation {
  turns: Turn[];
  busy: boolean;
  ask(question: string): Promise<void>;
  stop(): void;
  reset(): void;
}

export function useConversation(options: ConversationOptions): Conversation {
  const [turns, setTurns] = useState<Turn[]>(() => restore(options.storageKey));
  const running = useRef<AbortController | undefined>(undefined);
  const busy = turns.some((turn) => turn.status === 'streaming');

  useEffect(() => {
    if (!options.storageKey) return;
    const finished = turns.filter((turn) => turn.status === 'done');
    try {
      sessionStorage.setItem(options.storageKey, JSON.stringify(finished));
    } catch {
      // Storage full or blocked (private mode, sandboxed frame): the conversation lives in memory only.
    }
  }, [turns, options.storageKey]);

  const update = (id: string, change: (turn: Turn) => Partial<Turn>) =>
    setTurns((all) => all.map((turn) => (turn.id === id ? { ...turn, ...change(turn) } : turn)));

  const ask = async (question: string) => {
    const text = question.trim();
    if (!text || running.current) return;
    const id = `t${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    const history = historyOf(turns);
    const conversationId = continuedConversation(turns, options.kb);
    setTurns((all) => [...all, { id, ...(options.kb ? { kb: options.kb } : {}), question: text, answer: '', citations: [], status: 'streaming' }]);
    const controller = new AbortController();
    running.current = controller;
    try {
      const request = {
        question: text,
        ...(options.kb ? { kb: options.kb } : {}),
        ...(history.length > 0 ? { history } : {}),
        // The server files the turn under the same conversation (its transcript, outcome and
        // analytics); the history sent alongside still decides what the question follows.
        ...(conversationId ? { conversationId } : {}),
        metadata: { channel: options.channel },
      };
      for await (const event of options.client.streamAnswer(request, controller.signal)) {
        if (event.type === 'delta') update(id, (turn) => ({ answer: turn.answer + event.text }));
        else if (event.type === 'citation') update(id, (turn) => ({ citations: mergeCitation(turn.citations, event.citation) }));
        else if (event.type === 'done')
          update(id, () => ({ answer: event.response.answer, citations: event.response.citations, response: event.response, status: 'done' }));
        else if (event.type === 'error') update(id, () => ({ status: 'error', error: event.error.message }));
      }
      update(id, (turn) => (turn.status === 'streaming' ? { status: 'error', error: 'The answer stream ended early' } : {}));
    } catch (error) {
      if (controller.signal.aborted) update(id, () => ({ status: 'stopped' }));
      else update(id, () => ({ status: 'error', error: (error as Error).message }));
    } finally {
      running.current = undefined;
    }
  };

  return {
    turns,
    busy,
    ask,
    stop: () => running.current?.abort(),
    reset: () => {
      running.current?.abort();
      setTurns([]);
    },
  };
}


function mergeCitation(citations: Citation[], citation: Citation): Citation[] {
  return [...citations.filter((existing) => existing.index !== citation.index), citation].sort((a, b) => a.index - b.index);
}

function restore(storageKey: string | undefined): Turn[] {
  if (!storageKey) return [];
  try {
    const stored = JSON.parse(sessionStorage.getItem(storageKey) ?? '[]') as unknown;
    return Array.isArray(stored) ? (stored as Turn[]).filter((turn) => turn && turn.status === 'done') : [];
  } catch {
    return [];
  }
}
