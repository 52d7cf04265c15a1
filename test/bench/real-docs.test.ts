import { describe, expect, it } from 'vitest';
import { countMarkup } from '../../bench/real-docs.ts';

/** The real-docs bench counts doc-site markup that leaked into chunks and answers, and only that. */
describe('countMarkup (bench/real-docs.ts)', () => {
  it('counts containers, heading anchors, JSX components, imports, Liquid tags and Hugo shortcodes in prose', () => {
    const leaked = [
      "import useBaseUrl from '@docusaurus/useBaseUrl';",
      ':::tip Bot traffic is filtered automatically',
      '## date_range {#date_range}',
      '## 创建应用 \\{#create-an-app}',
      '<CtaBox headline="Start a trial" />',
      '<PackageManagerTabs command="add @rsbuild/core -D" />',
      '{% hint style="info" %} and {{< note >}}',
      ':::',
    ].join('\n');
    expect(countMarkup(leaked)).toEqual({ ':::': 2, '{#': 2, '<Component': 2, 'import … from': 1, '{%': 1, '{{<': 1 });
  });

  it('leaves code blocks alone: a sample may rightly import modules or render components', () => {
    const code = [
      'Add the plugin:',
      '',
      '```ts title="rsbuild.config.ts"',
      "import { defineConfig } from '@rsbuild/core';",
      'const App = () => <Button>Save</Button>;',
      '```',
      '',
      'Lower-case HTML such as <head> is not a component.',
    ].join('\n');
    expect(Object.values(countMarkup(code)).every((count) => count === 0)).toBe(true);
  });
});
