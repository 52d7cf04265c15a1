import { describe, expect, it } from 'vitest';
import { splitSentences } from '../../src/text/index.ts';
import { chineseRefunds, englishRefunds } from '../ingest/chunking/help-center.ts';

const withoutWhitespace = (text: string): string => text.replace(/\s/g, '');

describe('splitSentences in English', () => {
  it('splits after . ! and ? and keeps the punctuation', () => {
    expect(splitSentences('Open Billing. Is the button grey? Contact us!  Done.')).toEqual([
      'Open Billing.',
      'Is the button grey?',
      'Contact us!',
      'Done.',
    ]);
  });

  it.each([
    ['abbreviations', 'Use a card, e.g. Visa or Mastercard. Then pay.', ['Use a card, e.g. Visa or Mastercard.', 'Then pay.']],
    ['i.e.', 'Quote the code, i.e. The one starting with INV. Then wait.', ['Quote the code, i.e. The one starting with INV.', 'Then wait.']],
    ['titles', 'Ask Mr. Lee or Dr. Alvarez. They reply fast.', ['Ask Mr. Lee or Dr. Alvarez.', 'They reply fast.']],
    ['decimals and prices', 'The plan costs $9.99 a month. Tax is 20.5 percent.', ['The plan costs $9.99 a month.', 'Tax is 20.5 percent.']],
    ['versions', 'Update to v1.2 first. Version 4.2.1 fixes it.', ['Update to v1.2 first.', 'Version 4.2.1 fixes it.']],
    ['URLs', 'Go to https://help.example.com/a.html today. Then log in.', ['Go to https://help.example.com/a.html today.', 'Then log in.']],
    ['file names', 'Edit config.json and restart. Node.js must be 20.', ['Edit config.json and restart.', 'Node.js must be 20.']],
    ['inline list numbers', 'Steps: 1. Open the app. 2. Click Save.', ['Steps: 1. Open the app.', '2. Click Save.']],
    ['closing quotes', 'The dialog says "Saved." Then it closes.', ['The dialog says "Saved."', 'Then it closes.']],
    ['e-mail addresses', 'Write to billing@example.com. We answer.', ['Write to billing@example.com.', 'We answer.']],
  ])('does not split inside %s', (_name, text, expected) => {
    expect(splitSentences(text)).toEqual(expected);
  });

  it('keeps "No." before a number and ends a sentence at a final "no."', () => {
    expect(splitSentences('Ticket No. 5 is open. The answer is no. Ask again later.')).toEqual([
      'Ticket No. 5 is open.',
      'The answer is no.',
      'Ask again later.',
    ]);
  });

  it('still ends a sentence at "etc." before a capital', () => {
    expect(splitSentences('We read PDF, DOCX, etc. The rest is skipped.')).toEqual([
      'We read PDF, DOCX, etc.',
      'The rest is skipped.',
    ]);
  });

  it('treats a single line break as a soft wrap and a blank line as a boundary', () => {
    expect(splitSentences('Refunds go to the\noriginal card. Always.')).toEqual(['Refunds go to the\noriginal card.', 'Always.']);
    expect(splitSentences('Billing\n\nRefunds take a week.')).toEqual(['Billing', 'Refunds take a week.']);
  });

  it('splits a help-center article into its sentences', () => {
    const sentences = splitSentences(englishRefunds[0]!);
    expect(sentences).toEqual([
      'Refunds are always issued to the original payment method.',
      'If you paid by credit card, the money usually appears on your statement within 5 to 10 business days, depending on your bank.',
      'If you paid with PayPal, the refund is normally visible within 24 hours.',
      'We cannot send a refund to a different card or account, e.g. a card you added after the purchase.',
    ]);
  });
});

describe('splitSentences in Chinese and mixed text', () => {
  it('splits after 。！？ and ； with no spaces, keeping the punctuation', () => {
    expect(splitSentences('请先登录！是否可以取消？可以；但需要联系客服。退款三天到账。')).toEqual([
      '请先登录！',
      '是否可以取消？',
      '可以；',
      '但需要联系客服。',
      '退款三天到账。',
    ]);
  });

  it('keeps closing quotes with the sentence they close', () => {
    expect(splitSentences('页面提示“保存成功。”之后会自动关闭。')).toEqual(['页面提示“保存成功。”', '之后会自动关闭。']);
    // A closing quote after ； once became a "sentence" of its own.
    expect(splitSentences('他说“可以；”然后离开。')).toEqual(['他说“可以；”', '然后离开。']);
    expect(splitSentences('他说“可以；” 然后离开。')).toEqual(['他说“可以；”', '然后离开。']);
  });

  it('handles Chinese and English in one text', () => {
    expect(splitSentences('打开 Settings 页面。Then click Save. 完成后会收到邮件！')).toEqual([
      '打开 Settings 页面。',
      'Then click Save.',
      '完成后会收到邮件！',
    ]);
  });

  it('splits a Chinese help-center article into its sentences', () => {
    expect(splitSentences(chineseRefunds[3]!)).toEqual([
      '为什么“申请退款”按钮是灰色的？',
      '这通常是因为发票已超过十二个月，或者该发票是通过银行转账支付的。',
      '遇到这种情况，请联系客服并提供发票编号；',
      '发票编号以INV开头。',
      '以其他币种支付的发票，将按退款当天的汇率换算，因此退款金额可能与您实际支付的金额略有差异。',
    ]);
  });
});

// Chunking and citation checking once used two splitters that disagreed on these.
describe('splitSentences after abbreviations', () => {
  it.each([
    ['eg.', 'Pay by card, eg. Visa or Mastercard. Then wait.', ['Pay by card, eg. Visa or Mastercard.', 'Then wait.']],
    ['ie.', 'Use the owner account, ie. The first admin. Then wait.', ['Use the owner account, ie. The first admin.', 'Then wait.']],
    ['Prof. and Mt.', 'Ask Prof. Lee or Mt. Fuji staff. They reply.', ['Ask Prof. Lee or Mt. Fuji staff.', 'They reply.']],
    ['Vol. and Dept.', 'See Vol. 2 and Dept. Sales. Done.', ['See Vol. 2 and Dept. Sales.', 'Done.']],
  ])('does not split after %s', (_name, text, expected) => {
    expect(splitSentences(text)).toEqual(expected);
  });
});

describe('splitSentences as a whole', () => {
  it('loses and reorders nothing: the sentences put together are the text', () => {
    for (const text of [...englishRefunds, ...chineseRefunds, englishRefunds.join('\n\n') + chineseRefunds.join('\n')]) {
      expect(withoutWhitespace(splitSentences(text).join(''))).toBe(withoutWhitespace(text));
    }
  });

  it('splits a very long text exactly as it splits its paragraphs one by one', () => {
    const paragraphs = Array.from({ length: 60 }, (_, index) => [...englishRefunds, ...chineseRefunds][index % 10]!);
    const text = paragraphs.join(' ');
    expect(text.length).toBeGreaterThan(5 * 2000);
    expect(splitSentences(text)).toEqual(paragraphs.flatMap((paragraph) => splitSentences(paragraph)));
  });

  it('returns nothing for empty or blank text', () => {
    expect(splitSentences('')).toEqual([]);
    expect(splitSentences('  \n ')).toEqual([]);
  });
});
