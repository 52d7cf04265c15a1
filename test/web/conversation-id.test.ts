import { describe, expect, it } from 'vitest';
import { continuedConversation, type Turn } from '../../web/shared/turns.ts';

const turn = (kb: string | undefined, conversationId: string | undefined, status: Turn['status'] = 'done'): Turn => ({
  id: `t-${Math.random()}`,
  ...(kb ? { kb } : {}),
  question: 'q',
  answer: 'a',
  citations: [],
  status,
  ...(status === 'done' ? { response: { answerId: 'x', answer: 'a', abstained: false, citations: [], ...(conversationId ? { conversationId } : {}) } } : {}),
});

describe('the chat pages continue the server-side conversation', () => {
  it('sends the conversation of the last answered turn, on the same KB only', () => {
    expect(continuedConversation([], 'help')).toBeUndefined();
    expect(continuedConversation([turn('help', 'c1'), turn('help', 'c2')], 'help')).toBe('c2');
    // A stopped or failed turn has no answer: the one before it continues.
    expect(continuedConversation([turn('help', 'c1'), turn('help', undefined, 'error')], 'help')).toBe('c1');
    // Another KB picked since: a new conversation (the server would not find c1 on it).
    expect(continuedConversation([turn('help', 'c1')], 'billing')).toBeUndefined();
    // The server's default KB on both sides.
    expect(continuedConversation([turn(undefined, 'c3')], undefined)).toBe('c3');
    // Turns kept from before conversations existed carry no id.
    expect(continuedConversation([turn('help', undefined)], 'help')).toBeUndefined();
  });
});
