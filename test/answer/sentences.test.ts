import { describe, expect, it } from 'vitest';
import { splitTextUnits } from '../../src/answer/index.ts';
import { splitSentences } from '../../src/text/index.ts';

const unitTexts = (text: string): string[] => splitTextUnits(text).map((unit) => unit.text);

describe('splitTextUnits', () => {
  it('splits English prose without breaking abbreviations, versions or URLs', () => {
    expect(
      unitTexts('Upgrade to SDK v4.3.2, e.g. with npm. See https://docs.parley.example/sdk/upgrading.html for details. Done!'),
    ).toEqual(['Upgrade to SDK v4.3.2, e.g. with npm.', 'See https://docs.parley.example/sdk/upgrading.html for details.', 'Done!']);
  });

  it('splits Chinese after 。！？；', () => {
    expect(unitTexts('重置邮件通常一分钟内送达。最晚可能需要 10 分钟；如果仍然没有收到，请检查垃圾邮件！好吗？')).toEqual([
      '重置邮件通常一分钟内送达。',
      '最晚可能需要 10 分钟；',
      '如果仍然没有收到，请检查垃圾邮件！',
      '好吗？',
    ]);
  });

  it('keeps each numbered step and list item whole, and code blocks intact', () => {
    const units = splitTextUnits(
      'To reset it:\n1. Click Forgot password? on the sign-in page.\n2. Open the email. The link is valid for 60 minutes.\n\n```sh\nnpm install @parley/sdk\nnpx parley init\n```\n- Check your spam folder.',
    );
    expect(units.map((unit) => [unit.kind, unit.text])).toEqual([
      ['sentence', 'To reset it:'],
      ['list-item', '1. Click Forgot password? on the sign-in page.'],
      ['list-item', '2. Open the email. The link is valid for 60 minutes.'],
      ['code', '```sh\nnpm install @parley/sdk\nnpx parley init\n```'],
      ['list-item', '- Check your spam folder.'],
    ]);
    expect(units[1]!.block).toBe(units[2]!.block);
    expect(units[0]!.block).not.toBe(units[1]!.block);
  });

  it('splits prose lines into the sentences the chunker sees', () => {
    for (const line of [
      'Pay by card, eg. Visa or Mastercard. Then wait.',
      'Ask Prof. Lee or Mt. Fuji staff. They reply.',
      'Steps: 1. Open the app. 2. Click Save.',
      '他说“可以；”然后离开。',
    ]) {
      expect(unitTexts(line)).toEqual(splitSentences(line));
    }
    expect(unitTexts('Steps: 1. Open the app. 2. Click Save.')).toEqual(['Steps: 1. Open the app.', '2. Click Save.']);
  });

  it('treats each line as its own unit', () => {
    expect(unitTexts('Still can\'t get in?\nContact support@parley.example')).toEqual([
      "Still can't get in?",
      'Contact support@parley.example',
    ]);
  });
});
