import { describe, expect, it } from 'vitest';
import type { Block } from '../../../src/core/index.ts';
import { chunkDocument, countTokens, defaultChunkingSettings } from '../../../ingest/chunking/index.ts';
import { splitSentences } from '../../../src/text/index.ts';
import { expectInOrder } from './chunk-assertions.ts';
import { chineseRefunds, documentOf, englishRefunds, heading, paragraph } from './help-center.ts';

const { maxTokens } = defaultChunkingSettings;

const planTable = (rowCount: number): Block => ({
  kind: 'table',
  header: ['Plan', 'Price', 'Refund window'],
  rows: Array.from({ length: rowCount }, (_, index) => [`Team ${index + 1}`, `$${index + 5}.00 / month`, `${14 + (index % 3) * 7} days`]),
});

const pythonLines = (count: number): string[] => [
  'import oriole',
  '',
  'client = oriole.Client(base_url="http://127.0.0.1:8787", api_key=API_KEY)',
  ...Array.from({ length: count - 3 }, (_, index) =>
    index % 10 === 9 ? '' : `    client.post("/documents", json={"source": "billing/refund-${index}.md", "title": "Refund ${index}"})`,
  ),
];

describe('paragraphs', () => {
  it('splits a long English paragraph at sentence ends, losing nothing', () => {
    const text = englishRefunds.join(' ');
    const sentences = splitSentences(text);
    const chunks = chunkDocument(documentOf([heading(1, 'Refunds'), paragraph(text)]));
    expect(chunks.length).toBeGreaterThan(2);
    for (const chunk of chunks) {
      expect(chunk.tokenCount).toBeLessThanOrEqual(maxTokens);
      expect(chunk.text).toMatch(/[.!?]$/);
      for (const sentence of splitSentences(chunk.text)) expect(sentences).toContain(sentence);
    }
    expectInOrder(chunks, sentences);
  });

  it('splits a long Chinese paragraph after 。！？ and ；', () => {
    const text = chineseRefunds.join('');
    const sentences = splitSentences(text);
    const chunks = chunkDocument(documentOf([heading(1, '退款与取消'), paragraph(text)]));
    expect(chunks.length).toBeGreaterThan(2);
    for (const chunk of chunks) {
      expect(chunk.tokenCount).toBeLessThanOrEqual(maxTokens);
      expect(chunk.text).toMatch(/[。！？；]$/);
      expect(chunk.text).not.toMatch(/\s/);
      for (const sentence of splitSentences(chunk.text)) expect(sentences).toContain(sentence);
    }
    expectInOrder(chunks, sentences);
  });

  it('keeps paragraphs that fit whole and separates them with a blank line', () => {
    const chunks = chunkDocument(documentOf([paragraph(englishRefunds[1]!), paragraph(chineseRefunds[4]!)]));
    expect(chunks.map((chunk) => chunk.text)).toEqual([`${englishRefunds[1]}\n\n${chineseRefunds[4]}`]);
  });

  it('joins soft-wrapped lines: with a space in English, with nothing between Chinese characters', () => {
    const chunks = chunkDocument(documentOf([paragraph('Refunds go to the\noriginal card.\n退款将原路\n退回。')]));
    expect(chunks[0]!.text).toBe('Refunds go to the original card. 退款将原路退回。');
  });

  it('cuts a run-on text with no sentence end between words, within maxTokens', () => {
    const text = Array.from({ length: 120 }, (_, index) => `退款申请第${index}步请耐心等待`).join('，');
    const chunks = chunkDocument(documentOf([paragraph(text)]));
    expect(chunks.length).toBeGreaterThan(2);
    expect(chunks.every((chunk) => chunk.tokenCount <= maxTokens)).toBe(true);
    expect(chunks.map((chunk) => chunk.text).join('')).toBe(text);
  });
});

describe('lists', () => {
  const steps = Array.from({ length: 40 }, (_, index) => `Open the invoice for month ${index + 1} and check that the refund line shows the right amount.`);

  it('renders items as numbered or bulleted lines', () => {
    const chunks = chunkDocument(
      documentOf([
        { kind: 'list', ordered: true, items: ['Open Billing.', ' Choose\nInvoices. '] },
        { kind: 'list', ordered: false, items: ['Cards', 'PayPal'] },
      ]),
    );
    expect(chunks[0]!.text).toBe('1. Open Billing.\n2. Choose Invoices.\n\n- Cards\n- PayPal');
  });

  it('splits a long list between items, numbering on across chunks', () => {
    const chunks = chunkDocument(documentOf([{ kind: 'list', ordered: true, items: steps }]));
    expect(chunks.length).toBeGreaterThan(2);
    for (const chunk of chunks) {
      expect(chunk.tokenCount).toBeLessThanOrEqual(maxTokens);
      for (const line of chunk.text.split('\n')) {
        const number = Number(/^(\d+)\. /.exec(line)?.[1]);
        expect(line).toBe(`${number}. ${steps[number - 1]}`);
      }
    }
    expectInOrder(chunks, steps.map((step, index) => `${index + 1}. ${step}`));
  });

  it('splits an item over maxTokens at sentences, continuing it without a new bullet', () => {
    const longItem = englishRefunds.join(' ');
    const chunks = chunkDocument(documentOf([{ kind: 'list', ordered: false, items: ['Short first item.', longItem] }]));
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks[0]!.text).toMatch(/^- Short first item\.\n- Refunds are always issued/);
    // The rest of the item continues in the next chunks: no new bullet, no stray indentation.
    for (const chunk of chunks.slice(1)) expect(chunk.text).toMatch(/^[A-Z]/);
    expect(chunks.every((chunk) => chunk.tokenCount <= maxTokens)).toBe(true);
    expectInOrder(chunks, splitSentences(longItem));
  });
});

describe('tables', () => {
  it('renders a Markdown pipe table, escaping pipes and padding short rows', () => {
    const chunks = chunkDocument(
      documentOf([{ kind: 'table', header: ['Plan', 'Price'], rows: [['Team | yearly', '$8'], ['Free']] }]),
    );
    expect(chunks[0]!.text).toBe('| Plan | Price |\n| --- | --- |\n| Team \\| yearly | $8 |\n| Free |  |');
  });

  it('renders a table without a header as its rows alone', () => {
    const chunks = chunkDocument(documentOf([{ kind: 'table', header: null, rows: [['Team', '$8'], ['Free', '$0']] }]));
    expect(chunks[0]!.text).toBe('| Team | $8 |\n| Free | $0 |');
  });

  it('splits a long table between rows and repeats the header in every part', () => {
    const table = planTable(60);
    const rows = table.kind === 'table' ? table.rows.map((row) => `| ${row.join(' | ')} |`) : [];
    const chunks = chunkDocument(documentOf([paragraph(englishRefunds[1]!), table, paragraph(englishRefunds[2]!)]));
    const tableChunks = chunks.filter((chunk) => chunk.text.includes('| Team '));
    expect(tableChunks.length).toBeGreaterThan(2);
    for (const chunk of tableChunks) {
      expect(chunk.tokenCount).toBeLessThanOrEqual(maxTokens);
      const lines = chunk.text.slice(chunk.text.indexOf('| Plan')).split('\n\n')[0]!.split('\n');
      expect(lines.slice(0, 2)).toEqual(['| Plan | Price | Refund window |', '| --- | --- | --- |']);
      for (const line of lines.slice(2)) expect(rows).toContain(line);
    }
    const rowsSeen = tableChunks.flatMap((chunk) => chunk.text.split('\n').filter((line) => line.startsWith('| Team ')));
    expect(rowsSeen).toEqual(rows);
  });

  it('lets a single row over maxTokens exceed it, alone with the header', () => {
    const hugeCell = englishRefunds.join(' ');
    const chunks = chunkDocument(
      documentOf([{ kind: 'table', header: ['Question', 'Answer'], rows: [['Short', 'Row'], ['Refunds?', hugeCell], ['Next', 'Row']] }]),
    );
    const huge = chunks.find((chunk) => chunk.text.includes(hugeCell))!;
    expect(huge.tokenCount).toBeGreaterThan(maxTokens);
    expect(huge.text).toBe(`| Question | Answer |\n| --- | --- |\n| Refunds? | ${hugeCell} |`);
    expect(chunks.filter((chunk) => chunk !== huge).every((chunk) => chunk.tokenCount <= maxTokens)).toBe(true);
  });
});

describe('code', () => {
  it('splits a long code block between lines, fencing every part with its language', () => {
    const lines = pythonLines(90);
    const chunks = chunkDocument(documentOf([{ kind: 'code', language: 'python', text: `${lines.join('\n')}\n` }]));
    expect(chunks.length).toBeGreaterThan(2);
    const bodies = chunks.map((chunk) => {
      expect(chunk.tokenCount).toBeLessThanOrEqual(maxTokens);
      expect(chunk.text).toMatch(/^```python\n[^\n]/);
      expect(chunk.text).toMatch(/[^\n]\n```$/);
      return chunk.text.slice('```python\n'.length, -'\n```'.length);
    });
    for (const body of bodies) for (const line of body.split('\n')) expect(lines).toContain(line);
    expect(bodies.join('\n').split('\n').filter(Boolean)).toEqual(lines.filter(Boolean));
  });

  it('never splits a code block that fits in maxTokens, even past targetTokens', () => {
    const code = pythonLines(16).join('\n');
    expect(countTokens(code)).toBeGreaterThan(defaultChunkingSettings.targetTokens);
    expect(countTokens(code)).toBeLessThan(maxTokens - 10);
    const chunks = chunkDocument(documentOf([paragraph(englishRefunds[0]!), { kind: 'code', language: 'python', text: code }]));
    expect(chunks.filter((chunk) => chunk.text.includes('```'))).toHaveLength(1);
    expect(chunks.some((chunk) => chunk.text.includes(`\`\`\`python\n${code}\n\`\`\``))).toBe(true);
  });

  it('uses a longer fence around code that contains a fence, and keeps indentation', () => {
    const code = 'Write:\n```\n  indented\n```';
    const chunks = chunkDocument(documentOf([{ kind: 'code', language: 'markdown', text: code }]));
    expect(chunks[0]!.text).toBe(`\`\`\`\`markdown\n${code}\n\`\`\`\``);
  });

  it('lets a single line over maxTokens exceed it, fenced alone', () => {
    const longLine = `const key = "${'a'.repeat(maxTokens * 5)}";`;
    const chunks = chunkDocument(
      documentOf([{ kind: 'code', language: 'js', text: [...pythonLines(30), longLine, 'done()'].join('\n') }]),
    );
    const long = chunks.find((chunk) => chunk.text.includes(longLine))!;
    expect(long.text).toBe(`\`\`\`js\n${longLine}\n\`\`\``);
    expect(chunks.filter((chunk) => chunk !== long).every((chunk) => chunk.tokenCount <= maxTokens)).toBe(true);
  });
});

describe('token bounds across a whole document', () => {
  it('keeps every chunk within maxTokens unless it holds a single code line or table row', () => {
    const hugeRow = ['Refunds?', englishRefunds.join(' ')];
    const chunks = chunkDocument(
      documentOf([
        heading(1, 'Refunds'),
        paragraph(englishRefunds.join(' ')),
        { kind: 'list', ordered: false, items: [...englishRefunds, ...chineseRefunds] },
        heading(2, 'Plans'),
        planTable(50),
        { kind: 'table', header: ['Question', 'Answer'], rows: [hugeRow] },
        heading(2, 'API'),
        { kind: 'code', language: 'python', text: [...pythonLines(50), `x = "${'b'.repeat(2000)}"`].join('\n') },
        paragraph(chineseRefunds.join('')),
      ]),
      { targetTokens: 120, maxTokens: 180, overlapTokens: 20, minTokens: 30 },
    );
    const oversize = chunks.filter((chunk) => chunk.tokenCount > 180);
    expect(oversize).toHaveLength(2);
    for (const chunk of oversize) {
      const lines = chunk.text.split('\n');
      const isOneCodeLine = lines.length === 3 && lines[0] === '```python' && lines[2] === '```';
      const isOneTableRow = lines.length === 3 && lines[1] === '| --- | --- |';
      expect(isOneCodeLine || isOneTableRow).toBe(true);
    }
  });
});
