import { describe, expect, it } from 'vitest';
import {
  citationMarker,
  citationMarkers,
  hasMarker,
  markerNumbers,
  replaceMarkers,
  stripMarkers,
} from '../../src/answer/index.ts';
import {
  couldBeginMarker,
  isMarker,
  markersBeforeSentenceEnd,
  replaceMarkerGroups,
} from '../../src/answer/citation-markers.ts';

describe('citation markers', () => {
  it('are written as [n]', () => {
    expect(citationMarker(3)).toBe('[3]');
    expect(citationMarkers([1, 3])).toBe('[1][3]');
    expect(citationMarkers([])).toBe('');
  });

  it('are read in every form models write', () => {
    expect(markerNumbers('Refunds take a week [1]. Annual plans [2, 3] and [^4]; 退款【5】，【6、7】.')).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(markerNumbers('a [1] b [1]')).toEqual([1, 1]);
    for (const marker of ['[1]', '[1, 2]', '[1，2]', '[^1]', '【1】', '【1, 2】']) expect(hasMarker(`Yes ${marker}.`)).toBe(true);
  });

  it('are not ordinary brackets, years or links', () => {
    for (const text of ['items[a]', 'Released in [2024].', '[link](https://example.com)', '[ ]', 'no markers']) {
      expect(hasMarker(text)).toBe(false);
      expect(markerNumbers(text)).toEqual([]);
      expect(stripMarkers(text)).toBe(text);
    }
  });

  it('are stripped with the space before them', () => {
    expect(stripMarkers('Refunds take a week [1]. Annual plans too [2][3].')).toBe('Refunds take a week. Annual plans too.');
    expect(stripMarkers('退款三天到账【1】。')).toBe('退款三天到账。');
    expect(stripMarkers('Cite [1, 2] here')).toBe('Cite here');
  });

  it('are renumbered one by one, or group by group', () => {
    expect(replaceMarkers('a [1] b [2] c [9]', (index, marker) => (index === 9 ? marker : citationMarker(index + 10)))).toBe(
      'a [11] b [12] c [9]',
    );
    expect(replaceMarkerGroups('a [1] [2] b[3, 4] c', (numbers, spaced) => `${spaced ? ' ' : ''}<${numbers.join('+')}>`)).toBe(
      'a <1+2> b<3+4> c',
    );
  });

  it('are recognised whole, and as a beginning while they stream', () => {
    expect(isMarker('[1, 2]')).toBe(true);
    expect(isMarker('[1] and')).toBe(false);
    expect(couldBeginMarker('[')).toBe(true);
    expect(couldBeginMarker('[1, ')).toBe(true);
    expect(couldBeginMarker('【2')).toBe(true);
    expect(couldBeginMarker('[a')).toBe(false);
  });

  it('move before the punctuation that ends their sentence', () => {
    expect(markersBeforeSentenceEnd('Refunds take a week.[1] Next.')).toBe('Refunds take a week [1]. Next.');
    expect(markersBeforeSentenceEnd('退款三天到账。[1][2]')).toBe('退款三天到账[1][2]。');
  });
});
