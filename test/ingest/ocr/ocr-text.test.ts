import { describe, expect, it } from 'vitest';
import { recognizedParagraphs } from '../../../ingest/ocr/index.ts';

describe('recognizedParagraphs: Tesseract text made into paragraphs', () => {
  it('joins the lines of a paragraph and splits paragraphs at blank lines', () => {
    expect(recognizedParagraphs('Refunds for annual plans\nare prorated to the day.\n\nContact billing\nwithin 30 days.\n')).toEqual([
      'Refunds for annual plans are prorated to the day.',
      'Contact billing within 30 days.',
    ]);
  });

  it('keeps a word hyphenated across a line break whole', () => {
    expect(recognizedParagraphs('Use the self-\nservice portal.')).toEqual(['Use the self-service portal.']);
  });

  it('removes the spaces Tesseract puts between Chinese characters, and joins Chinese lines without one', () => {
    expect(recognizedParagraphs('如 何 重 置 密码 ? 打开 设置 ，\n选 择 安 全 。')).toEqual(['如何重置密码 ? 打开设置，选择安全。']);
  });

  it('closes the gaps Tesseract leaves inside Chinese curly quotes, but not around English ones', () => {
    expect(recognizedParagraphs('点击 “ 忘记密码 ” 链接')).toEqual(['点击“忘记密码”链接']);
    expect(recognizedParagraphs('Click “Forgot password” below')).toEqual(['Click “Forgot password” below']);
  });

  it('keeps the space between Chinese and Latin words', () => {
    expect(recognizedParagraphs('在 Settings 中 打开 通知')).toEqual(['在 Settings 中打开通知']);
  });

  it('drops specks and rules read as text', () => {
    expect(recognizedParagraphs('|\n\n— .\n\nQuiet hours\n\n~')).toEqual(['Quiet hours']);
  });
});
