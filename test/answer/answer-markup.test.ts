import { describe, expect, it } from 'vitest';
import { createMarkupSanitizer, safeMarkdown } from '../../src/answer/answer-markup.ts';

/** Streams `text` through a sanitizer in pieces of `size` characters; returns each delta and the whole. */
function streamed(text: string, size: number): { deltas: string[]; whole: string } {
  const sanitizer = createMarkupSanitizer();
  const deltas: string[] = [];
  for (let start = 0; start < text.length; start += size) deltas.push(sanitizer.push(text.slice(start, start + size)));
  deltas.push(sanitizer.flush());
  return { deltas, whole: deltas.join('') };
}

const hostile = [
  'Open the billing page [click](javascript:alert(1)) to see it.',
  'A picture ![logo](data:image/svg+xml;base64,PHN2Zz4=) and <img src=x onerror=alert(1)> here.',
  'Also <script>alert(1)</script> and <javascript:alert(2)> and [ok](https://help.example.com/a_(b)).',
  '[ref]: vbscript:msgbox(1)',
  'Code stays: `<b>` and',
  '```html',
  '<div onclick="x()">[x](javascript:y)</div>',
  '```',
  'Comparisons stay: a < b, <5 ms, <https://help.example.com>.',
].join('\n');

describe('safeMarkdown', () => {
  it('turns links and images to other schemes into their text and keeps http(s) links', () => {
    expect(safeMarkdown('See [click](javascript:alert(1)) now')).toBe('See click now');
    expect(safeMarkdown('![alt text](data:image/png;base64,AAAA)')).toBe('alt text');
    expect(safeMarkdown('[a](<file:///etc/passwd>) [b](/relative) [c](JaVaScRiPt:x "t")')).toBe('a b c');
    expect(safeMarkdown('[docs](https://help.example.com/refunds "Refunds")')).toBe('[docs](https://help.example.com/refunds "Refunds")');
  });

  it('escapes every tag opener, so raw HTML reads as text', () => {
    expect(safeMarkdown('<img src=x onerror=alert(1)>')).toBe('&lt;img src=x onerror=alert(1)>');
    expect(safeMarkdown('<script>alert(1)</script>')).toBe('&lt;script>alert(1)&lt;/script>');
    expect(safeMarkdown('<!-- x --> <?php ?>')).toBe('&lt;!-- x --> &lt;?php ?>');
    expect(safeMarkdown('a < b and <5 ms')).toBe('a < b and <5 ms');
  });

  it('keeps http(s) autolinks and unlinks the others', () => {
    expect(safeMarkdown('<https://help.example.com/x>')).toBe('<https://help.example.com/x>');
    expect(safeMarkdown('<javascript:alert(1)> <vbscript:x>')).toBe('javascript:alert(1) vbscript:x');
  });

  it('removes reference definitions to other schemes', () => {
    expect(safeMarkdown('[x][r]\n\n[r]: javascript:alert(1)\n[s]: https://ok.example/')).toBe('[x][r]\n\n[s]: https://ok.example/');
  });

  it('leaves code spans and blocks as written', () => {
    const code = 'Run `<b>[x](javascript:y)</b>` or\n```\n<script>x</script>\n```\n';
    expect(safeMarkdown(code)).toBe(code);
  });

  it('leaves an escaped bracket alone', () => {
    expect(safeMarkdown('\\[1\\] text')).toBe('\\[1\\] text');
  });
});

describe('createMarkupSanitizer', () => {
  it.each([1, 2, 3, 5, 7, 13, 1000])('streams in pieces of %i characters to what safeMarkdown makes of the whole', (size) => {
    const { deltas, whole } = streamed(hostile, size);
    expect(whole).toBe(safeMarkdown(hostile));
    // No delta, nor any prefix of the stream, ever holds a dangerous link or tag.
    let prefix = '';
    for (const delta of deltas) {
      prefix += delta;
      const prose = prefix.replace(/```[\s\S]*?```|`[^`\n]*`/g, '');
      expect(prose).not.toMatch(/\]\(\s*<?(?:javascript|data|vbscript):|<(?:img|script|javascript)/iu);
    }
  });

  it('holds an incomplete link back until it is decided, and a safe one streams whole', () => {
    const sanitizer = createMarkupSanitizer();
    expect(sanitizer.push('Read [the guide](java')).toBe('Read ');
    expect(sanitizer.push('script:alert(1)) now')).toBe('the guide now');
    expect(sanitizer.push(' and <im')).toBe(' and ');
    expect(sanitizer.push('g src=x>')).toBe('&lt;img src=x>');
    expect(sanitizer.flush()).toBe('');
  });

  it('escapes a bracket held past its limit, so nothing later can make it a link', () => {
    const sanitizer = createMarkupSanitizer();
    const out = sanitizer.push(`[${'a'.repeat(2500)}`) + sanitizer.push('](javascript:alert(1))') + sanitizer.flush();
    expect(out.startsWith('\\[')).toBe(true);
    expect(out).not.toMatch(/(?<!\\)\[a+\]\(javascript:/u);
  });
});
