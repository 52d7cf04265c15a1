import { describe, expect, it } from 'vitest';
import type { ChatTurn } from '../../src/core/index.ts';
import { followUpRewriteMessages, isFollowUp, rewriteFollowUp } from '../../src/answer/index.ts';

function after(question: string): ChatTurn[] {
  return [
    { role: 'user', content: question },
    { role: 'assistant', content: 'Here is what the help center says [1].' },
  ];
}

describe('rewriteFollowUp', () => {
  it.each([
    ['How do I get a refund for a monthly plan?', 'and for annual plans?', 'How do I get a refund for annual plans?'],
    ['How do I install the SDK on iOS?', 'what about Android?', 'How do I install the SDK on Android?'],
    ['月付套餐怎么退款？', '那年付呢？', '年付套餐怎么退款？'],
    ['如何重置密码？', '还有呢', '如何重置密码？'],
  ])('after %j, rewrites %j as %j', (previous, followUp, standalone) => {
    expect(rewriteFollowUp(followUp, after(previous))).toBe(standalone);
  });

  it('carries the previous question’s key words into a question that only points back', () => {
    const rewritten = rewriteFollowUp('how much is it?', after('What does the Growth plan include?'));
    expect(rewritten).toMatch(/^how much is it\?/);
    expect(rewritten).toContain('Growth');
    expect(rewritten).toContain('plan');
  });

  it('follows a chain of follow-ups back to its subject', () => {
    const history: ChatTurn[] = [...after('How do I get a refund for a monthly plan?'), ...after('and for annual plans?')];
    expect(rewriteFollowUp('what about Enterprise?', history)).toBe('How do I get a refund for Enterprise?');
  });

  it.each([
    'How do I enable push notifications on iOS?',
    'What is the maximum attachment size on the Growth plan?',
    '如何开启双重验证？',
  ])('returns the standalone question %j unchanged', (question) => {
    const history = after('How do I get a refund for a monthly plan?');
    expect(isFollowUp(question, history)).toBe(false);
    expect(rewriteFollowUp(question, history)).toBe(question);
  });

  it('never treats the first question of a conversation as a follow-up', () => {
    expect(isFollowUp('and for annual plans?', [])).toBe(false);
    expect(rewriteFollowUp('and for annual plans?', [])).toBe('and for annual plans?');
  });
});

describe('followUpRewriteMessages', () => {
  it('asks for a standalone question in the follow-up’s language, with the conversation', () => {
    const messages = followUpRewriteMessages('那年付呢？', after('月付套餐怎么退款？'));
    expect(messages[0]!.role).toBe('system');
    expect(messages[0]!.content).toContain('Chinese');
    expect(messages[0]!.content).toMatch(/only the question/i);
    expect(messages.at(-1)!.role).toBe('user');
    expect(messages.at(-1)!.content).toContain('月付套餐怎么退款？');
    expect(messages.at(-1)!.content).toContain('那年付呢？');
    expect(messages.at(-1)!.content).not.toContain('[1]');
  });
});
