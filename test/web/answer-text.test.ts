import { describe, expect, it } from 'vitest';
import { isWebUrl, parseAnswer, parseInlines, plainAnswer } from '../../web/shared/answer-markup.ts';
import { readServerSentEvents } from '../../web/shared/sse.ts';

describe('answer text as the pages show it', () => {
  it('turns [n] markers into citations, also grouped ones', () => {
    expect(parseInlines('Refunds take 5 days [1]. Annual plans differ [2, 3]【4】.')).toEqual([
      { kind: 'text', text: 'Refunds take 5 days ' },
      { kind: 'cite', index: 1 },
      { kind: 'text', text: '. Annual plans differ ' },
      { kind: 'cite', index: 2 },
      { kind: 'cite', index: 3 },
      { kind: 'cite', index: 4 },
      { kind: 'text', text: '.' },
    ]);
  });

  it('keeps HTML and escaped brackets as the literal text they are', () => {
    expect(parseInlines('Type &lt;img src=x onerror=alert(1)> and \\[1\\] here')).toEqual([
      { kind: 'text', text: 'Type <img src=x onerror=alert(1)> and [1] here' },
    ]);
  });

  it('reads lists, bold and code, and copies as plain text', () => {
    const text = 'Steps:\n\n1. Open **Settings** [1]\n2. Run `oriole ask`';
    expect(parseAnswer(text).map((block) => block.kind)).toEqual(['paragraph', 'list']);
    expect(plainAnswer(text)).toBe('Steps:\n\n1. Open Settings [1]\n2. Run oriole ask');
  });

  it('links out only to http(s)', () => {
    expect(isWebUrl('https://help.example.com/a')).toBe(true);
    expect(isWebUrl('javascript:alert(1)')).toBe(false);
    expect(isWebUrl('data:text/html,x')).toBe(false);
    expect(isWebUrl(null)).toBe(false);
  });
});

describe('the SSE reader', () => {
  it('reads events split anywhere across chunks, with CRLF and multi-line data', async () => {
    const wire = 'event: delta\r\ndata: {"text":"Hel"}\r\n\r\n: comment\n\nevent: done\ndata: {"a":\ndata: 1}\n\n';
    const bytes = new TextEncoder().encode(wire);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let offset = 0; offset < bytes.length; offset += 7) controller.enqueue(bytes.slice(offset, offset + 7));
        controller.close();
      },
    });
    const events = [];
    for await (const event of readServerSentEvents(body)) events.push(event);
    expect(events).toEqual([
      { event: 'delta', data: '{"text":"Hel"}' },
      { event: 'done', data: '{"a":\n1}' },
    ]);
  });
});
