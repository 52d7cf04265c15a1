import { describe, expect, it } from 'vitest';
import { asksForHuman } from '../../src/answer/index.ts';

describe('asksForHuman', () => {
  it.each([
    'talk to a person',
    'speak to an agent',
    'human please',
    'Human!',
    'agent',
    'Representative, please.',
    'a real person please',
    'I want to talk to a human',
    'Can I speak with a real person?',
    'could I chat with a live agent',
    'let me talk to someone',
    "I'd like to speak to customer service.",
    'Is there a way to talk to a human?',
    'How can I talk to a person?',
    'talk to support',
    'connect me to an agent',
    'Please transfer me to a human',
    'get me a human',
    'This is useless. I want a human.',
    'I need a real person, the bot does not get it',
    'hi, can i talk to someone about my invoice?',
  ])('hears a request for a human in %j', (message) => {
    expect(asksForHuman(message)).toBe(true);
  });

  it.each(['转人工', '人工', '人工客服', '我要转人工', '可以转人工吗？', '我想和客服说话', '帮我接通人工客服', '找真人吧', '这个回答没用，转人工！', '如何联系客服？'])(
    'hears a request for a human in the Chinese %j',
    (message) => {
      expect(asksForHuman(message)).toBe(true);
    },
  );

  it.each([
    'how do I add a person to my team',
    'Can an agent see my tickets?',
    'How do I assign a ticket to an agent?',
    'How do I transfer a ticket to another agent?',
    'What does the support team do with my data?',
    'How do I talk to the API from Python?',
    'Does the live chat widget support Chinese?',
    'I need support for SAML',
    'How do I let my users speak with an agent?',
    'Can customers chat with an agent in the widget?',
    'Who is the person responsible for billing on my account?',
    'Is there a human resources integration?',
    'How do I reset my password?',
    'What are the agent seat prices?',
    'How many people can join a workspace?',
    'How do I get support for single sign-on?',
  ])('does not take the question %j for a request for a human', (message) => {
    expect(asksForHuman(message)).toBe(false);
  });

  it.each(['如何配置人工客服的工作时间？', '人工智能功能怎么开启？', '客服工单怎么分配给同事？', '怎么重置密码？', '真人认证需要多久？'])(
    'does not take the Chinese question %j for a request for a human',
    (message) => {
      expect(asksForHuman(message)).toBe(false);
    },
  );
});
