import { describe, expect, it } from 'vitest';
import { assignHeadingAnchors, githubSlug, headingAnchorRulesFor, vitepressSlug } from '../../../ingest/loaders/index.ts';
import type { Block } from '../../../src/core/index.ts';

describe('heading anchors as documentation sites name them', () => {
  it.each([
    ['Allowed origins', 'allowed-origins'],
    ["What's new in 3.x?", 'whats-new-in-3x'],
    ['`app.use()` and `c.json()`', 'appuse-and-cjson'],
    ['Props & Events', 'props--events'],
    ['snake_case and kebab-case', 'snake_case-and-kebab-case'],
    ['快速开始', '快速开始'],
    ['什么是 Vue？', '什么是-vue'],
    ['🚀 Deploy', '-deploy'],
  ])('GitHub (and Docusaurus) rules: %s → %s', (text, slug) => {
    expect(githubSlug(text)).toBe(slug);
  });

  it.each([
    ["What's new in 3.x?", 'what-s-new-in-3-x'],
    ['Props & Events', 'props-events'],
    ['`useFetch()` API', 'usefetch-api'],
    ['1. Install', '_1-install'],
    ['Déjà vu', 'deja-vu'],
    ['快速开始', '快速开始'],
    ['什么是 Vue？', '什么是-vue'],
  ])('VitePress rules: %s → %s', (text, slug) => {
    expect(vitepressSlug(text)).toBe(slug);
  });

  it('keeps declared ids, numbers repeated slugs in document order, and skips headings with no slug', () => {
    const blocks: Block[] = [
      { kind: 'heading', level: 1, text: 'Caching' },
      { kind: 'heading', level: 2, text: 'Options' },
      { kind: 'heading', level: 2, text: 'Redis', anchor: 'options-1' },
      { kind: 'heading', level: 3, text: 'Options' },
      { kind: 'paragraph', text: 'Options' },
      { kind: 'heading', level: 3, text: '!!!' },
    ];
    expect(assignHeadingAnchors(blocks, 'github').map((block) => (block.kind === 'heading' ? (block.anchor ?? null) : '-'))).toEqual([
      'caching',
      'options',
      'options-1',
      'options-2',
      '-',
      null,
    ]);
  });

  it("reads the rules from the document's headingAnchors metadata, GitHub's by default", () => {
    expect(headingAnchorRulesFor({ headingAnchors: 'vitepress' })).toBe('vitepress');
    expect(headingAnchorRulesFor({ headingAnchors: 'hugo' })).toBe('github');
    expect(headingAnchorRulesFor({})).toBe('github');
  });
});
