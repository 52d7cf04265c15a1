import { describe, expect, it } from 'vitest';
import { groundedAnswerMessages } from '../../src/answer/index.ts';
import { passage } from './passage.ts';

const passages = [
  passage({
    chunkId: 'reset#1',
    documentId: 'account/reset-password',
    source: 'account/reset-password.md',
    title: 'Reset your password',
    headingPath: ['Reset your password', 'The reset email doesn’t arrive'],
    heading: 'The reset email doesn’t arrive',
    text: 'Reset emails usually arrive within a minute, but can take up to 10 minutes.',
  }),
  passage({ chunkId: 'long#0', documentId: 'long', source: 'long.md', title: 'Long article', text: 'Parley keeps data safe. '.repeat(400) }),
  passage({ chunkId: 'late#0', documentId: 'late', source: 'late.md', title: 'Late article', text: 'Late passage text. '.repeat(300) }),
];

describe('groundedAnswerMessages', () => {
  it('states the grounding rules, the answer language and the decline reply', () => {
    const [system] = groundedAnswerMessages({ question: '收不到重置邮件怎么办？', passages, language: 'zh' });
    expect(system!.role).toBe('system');
    const rules = String(system!.content);
    expect(rules).toMatch(/only/i);
    expect(rules).toContain('[1]');
    expect(rules).toContain('Chinese');
    expect(rules).toContain('我不知道');
  });

  it('numbers the passages with title › heading and source, then asks the question', () => {
    const messages = groundedAnswerMessages({ question: 'Why has my reset email not arrived?', passages, language: 'en' });
    const last = String(messages.at(-1)!.content);
    expect(messages.at(-1)!.role).toBe('user');
    expect(last).toContain(
      '[1] Reset your password › The reset email doesn’t arrive (source: account/reset-password.md)\nReset emails usually arrive within a minute',
    );
    expect(last).toContain('[2] Long article');
    expect(last.trimEnd().endsWith('Question: Why has my reset email not arrived?')).toBe(true);
  });

  it('keeps the passage block bounded, cutting long passages', () => {
    const last = String(groundedAnswerMessages({ question: 'q', passages, language: 'en' }).at(-1)!.content);
    expect(last.length).toBeLessThan(6500);
    expect(last).toContain('…');
  });

  it('includes the last turns of the conversation without their old markers', () => {
    const history = [
      { role: 'user' as const, content: 'How do I reset my password?' },
      { role: 'assistant' as const, content: 'Click Forgot password? on the sign-in page [1].' },
    ];
    const messages = groundedAnswerMessages({ question: 'and if the email never comes?', passages, history, language: 'en' });
    expect(messages).toHaveLength(4);
    expect(messages[1]!.role).toBe('user');
    expect(messages[2]!.role).toBe('assistant');
    expect(messages[2]!.content).toBe('Click Forgot password? on the sign-in page.');
  });
});
