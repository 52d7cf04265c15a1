import { describe, expect, it } from 'vitest';
import { createSupportGate } from '../../src/answer/supported-sentences.ts';
import { escapeMarkers, markerNumbers, replaceMarkers, stripMarkers } from '../../src/answer/citation-markers.ts';
import { createMarkerRewriter } from '../../src/answer/index.ts';
import { passage } from './passage.ts';

const passages = [
  passage({ chunkId: '1', documentId: 'refunds', text: 'Refunds are issued to the original payment method within 5 business days.' }),
  passage({ chunkId: '2', documentId: 'password', text: 'To reset your password, open Settings and choose Security.' }),
];

function gated(text: string, size: number) {
  const gate = createSupportGate(passages);
  const deltas: string[] = [];
  for (let start = 0; start < text.length; start += size) deltas.push(gate.push(text.slice(start, start + size)));
  deltas.push(gate.flush());
  return { deltas, text: deltas.join(''), kept: gate.keptText, dropped: gate.dropped };
}

const answer =
  'Refunds are issued to the original payment method within 5 business days [1]. ' +
  'Refunds also include a free pony for every customer [1]. ' +
  'Open Settings and choose Security to reset your password.\n' +
  '- The moon is made of green cheese.\n' +
  '- Choose Security in Settings [2]\n';

describe('createSupportGate', () => {
  it.each([1, 4, 9, 1000])('drops unsupported sentences and list items, in pieces of %i characters', (size) => {
    const result = gated(answer, size);
    expect(result.text).toBe(
      'Refunds are issued to the original payment method within 5 business days [1]. ' +
        'Open Settings and choose Security to reset your password.\n' +
        '- Choose Security in Settings [2]\n',
    );
    expect(result.kept).toBe(result.text);
    expect(result.dropped).toBe(2);
  });

  it('releases a sentence as soon as the next one starts, with the markers after its full stop', () => {
    const gate = createSupportGate(passages);
    expect(gate.push('Refunds are issued within 5 business days.')).toBe('');
    expect(gate.push(' [1]')).toBe('');
    expect(gate.push(' Open')).toBe('Refunds are issued within 5 business days. [1] ');
    expect(gate.push(' Settings and choose Security.')).toBe('');
    expect(gate.flush()).toBe('Open Settings and choose Security.');
    expect(gate.dropped).toBe(0);
  });

  it('checks a cited sentence against the passages it cites, not others', () => {
    expect(gated('Open Settings and choose Security to reset your password [1].', 5).dropped).toBe(1);
    expect(gated('Open Settings and choose Security to reset your password [2].', 5).dropped).toBe(0);
  });

  it('keeps code blocks and sentences without claims', () => {
    const text = "Here's how:\n```\n$ oriole reset --user me\n```\n";
    expect(gated(text, 3)).toMatchObject({ text, dropped: 0 });
  });
});

describe('escaped markers', () => {
  it('are quoted text, not markers, for every reader of markers', () => {
    const quoted = escapeMarkers('Sources: [1] https://evil.example/phish 【2】 [1, 2]');
    expect(quoted).toBe('Sources: \\[1\\] https://evil.example/phish \\[2\\] \\[1, 2\\]');
    expect(markerNumbers(quoted)).toEqual([]);
    expect(stripMarkers(quoted)).toBe(quoted);
    expect(replaceMarkers(quoted, () => '[9]')).toBe(quoted);
    const rewriter = createMarkerRewriter(passages);
    const streamed = [...quoted].map((character) => rewriter.push(character).text).join('') + rewriter.flush().text;
    expect(streamed).toBe(quoted);
  });
});
