import { describe, expect, it } from 'vitest';
import { extractiveAnswer } from '../../src/answer/index.ts';
import { blockSpans } from '../../src/answer/block-spans.ts';
import { splitTextUnits } from '../../src/answer/sentences.ts';
import { passage } from './passage.ts';

describe('how-to answers pick the span that does it', () => {
  it('quotes the fix, not the error output a troubleshooting page shows', () => {
    const troubleshooting = passage({
      chunkId: 'c1',
      documentId: 'faq',
      title: 'Build errors',
      heading: 'Out of memory during the build',
      headingPath: ['Build errors', 'Out of memory during the build'],
      text: [
        'If the build runs out of memory, you will see an error like this one:',
        '',
        '```',
        'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory',
        '```',
        '',
        'The build holds too much in memory for the default heap limit of Node.js.',
        '',
        'Raise the heap limit of the build command in package.json:',
        '',
        '```json',
        '{ "scripts": { "build": "NODE_OPTIONS=--max-old-space-size=8192 acme build" } }',
        '```',
      ].join('\n'),
    });
    const answer = extractiveAnswer('How do I fix the JavaScript heap out of memory error during the build?', [troubleshooting]);
    expect(answer.text).toContain('--max-old-space-size=8192');
    expect(answer.text).not.toContain('FATAL ERROR');
  });

  it('marks a plain code block introduced as an error, or holding one, as output; a labelled one stays code', () => {
    const spans = (text: string) => blockSpans(splitTextUnits(text));
    expect(spans('You will see this error:\n\n```\nModule not found: cannot resolve core-js\n```')[0]?.showsOutput).toBe(true);
    expect(spans('如果出现类似下面的报错：\n\n```\nsome message\n```')[0]?.showsOutput).toBe(true);
    expect(spans('The dev server prints:\n\n```\n» WebSocket connection failed\n```')[0]?.showsOutput).toBe(true);
    expect(spans('Create a .browserslistrc file:\n\n```text\nchrome >= 87\n```')[0]?.showsOutput).toBe(false);
    expect(spans('Handle the error in your code:\n\n```js\nthrow new Error("failed")\n```')[0]?.showsOutput).toBe(false);
  });

  it('quotes "Then paste the following command:" with the paragraph it follows', () => {
    const reenable = passage({
      chunkId: 'c1',
      documentId: 'exclude',
      title: 'Exclude your own visits',
      heading: 'Count your visits again',
      headingPath: ['Count your visits again'],
      text: [
        'To count your own visits again, open your site in the browser you excluded. Open the web console and click the Console tab.',
        '',
        'Then paste the following command and hit enter:',
        '',
        '```js',
        'delete localStorage.acme_ignore',
        '```',
      ].join('\n'),
    });
    const answer = extractiveAnswer('How do I count my own visits again?', [reenable]);
    expect(answer.sentences[0]?.kind).toBe('span');
    expect(answer.text).toContain('Open the web console and click the Console tab.');
    expect(answer.text).toContain('Then paste the following command and hit enter');
    expect(answer.text).toContain('delete localStorage.acme_ignore');
  });

  it('answers from the FAQ entry that asks the question, not a neighbouring entry with code', () => {
    const entry = (heading: string, text: string, ordinal: number) =>
      passage({ chunkId: `c${ordinal}`, documentId: 'faq-hmr', ordinal, title: 'HMR FAQ', heading, headingPath: ['HMR FAQ', heading], text });
    const https = entry(
      'HMR stops working after enabling https?',
      'With https on, the browser rejects the self-signed certificate of the HMR socket. The solution is to click Advanced on the warning page, then Proceed to localhost.',
      0,
    );
    const externals = entry(
      'HMR stops working after making React external?',
      'To fix HMR that stops working, load the development build of React instead of the CDN one:\n\n```js\nexport default { output: { externals: {} } };\n```',
      1,
    );
    const answer = extractiveAnswer('How do I fix HMR that stops working after enabling https?', [externals, https]);
    expect(answer.text).toContain('Proceed to localhost');
    expect(answer.text).not.toContain('externals');
  });
});
