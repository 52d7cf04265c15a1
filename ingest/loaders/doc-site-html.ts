import type { Element, ElementContent, Root } from 'hast';
import { matches, select, selectAll } from 'hast-util-select';

/**
 * What help-center and documentation generators put around and inside an article's
 * text, and how to read past it: Zendesk Guide, Intercom Articles, Docusaurus and MkDocs
 * (Material) pages name their content container; permalink symbols, copy buttons, edit
 * links, votes and breadcrumbs sit inside it; code blocks carry their language on a
 * wrapper and their lines in spans or divs.
 */

/** Content containers of known generators, most specific first. */
export const docSiteContentContainers = [
  '.theme-doc-markdown', // Docusaurus
  '.md-content__inner', // MkDocs Material
  '.article-body', // Zendesk Guide (Copenhagen and most themes)
  '.article_body', // Intercom Articles
  '.article.intercom-force-break > article', // Intercom Articles, older theme
  '[itemprop=articleBody]', // schema.org markup (many CMS themes)
].join(', ');

/** Inside a content container: never the article's text. Simple selectors only: `matches` takes no combinators. */
const docSiteChrome = [
  'button',
  // permalink anchors next to headings: Docusaurus, MkDocs, VitePress, markdown-it-anchor, GitHub
  '.hash-link',
  '.headerlink',
  '.header-anchor',
  '.anchor-link',
  '.anchorjs-link',
  // edit links, breadcrumbs, page footers, tables of contents, "last updated"
  '.theme-edit-this-page',
  '.md-content__button',
  '.theme-doc-breadcrumbs',
  '.breadcrumbs',
  '.theme-doc-footer',
  '.theme-doc-toc-mobile',
  '.table-of-contents',
  '.md-source-file',
  '.pagination-nav',
  // help-center widgets: votes, "was this helpful", follow, share, comments, related articles
  '.article-votes',
  '.article-vote',
  '.article-feedback',
  '.article-more-questions',
  '.article-return-to-top',
  '.article-relatives',
  '.article-comments',
  '.article-subscribe',
  '.article-share',
  '.article-author',
  '.article-meta',
  '.intercom-reaction-picker',
  // screen-reader-only helper text ("Copy", "Direct link to …")
  '.sr-only',
  '.visually-hidden',
  // line numbers beside code
  '.linenos',
  '.linenodiv',
  '.lineno',
  '.line-numbers-rows',
].join(', ');

/** Symbols a permalink anchor shows inside a heading. */
const permalinkText = /^[\s\u200b#¶§🔗]*$/u;

/**
 * Rewrites a page's content container in place so the Markdown mapping reads only the
 * article: heading ids kept (from the heading, or its permalink), chrome dropped, tabs
 * labelled, code blocks one `<pre><code class="language-x">` with their line breaks.
 */
export function cleanDocSiteContent(container: Root | Element): void {
  for (const heading of selectAll('h1, h2, h3, h4, h5, h6', container)) keepHeadingId(heading);
  for (const table of selectAll('table.highlighttable', container)) unwrapLineNumberTable(table);
  for (const pre of selectAll('pre', container)) normalizeCodeBlock(pre, languageAround(pre, container));
  remove(container, (element) => matches(docSiteChrome, element) || isPermalink(element));
  for (const set of selectAll('.tabs-container, .tabbed-set', container)) labelTabs(set);
  for (const admonition of selectAll('.admonition, .theme-admonition', container)) labelAdmonition(admonition);
}

/**
 * An admonition as the Markdown loader writes a note: "Warning: Title" above its content,
 * or "Tip: " leading its first paragraph when its heading only names its kind. The kind
 * is a class (MkDocs `admonition warning`, Docusaurus `theme-admonition-tip`).
 */
function labelAdmonition(admonition: Element): void {
  const heading = select('.admonition-title, [class*=admonitionHeading]', admonition);
  const classes = Array.isArray(admonition.properties.className) ? admonition.properties.className.map(String) : [];
  const kind = classes.map((name) => /^theme-admonition-([\w-]+)$/.exec(name)?.[1]).find(Boolean) ??
    classes.find((name) => name !== 'admonition' && /^[a-z]+$/.test(name)) ?? 'note';
  const label = kind.charAt(0).toUpperCase() + kind.slice(1);
  const title = heading ? textContent(heading).trim() : '';
  if (heading) remove(admonition, (element) => element === heading);
  const firstParagraph = select('p', admonition);
  if ((title === '' || title.toLowerCase() === kind) && firstParagraph) {
    firstParagraph.children.unshift({ type: 'text', value: `${label}: ` });
    return;
  }
  admonition.children.unshift({ type: 'element', tagName: 'p', properties: {}, children: [{ type: 'text', value: title === '' ? `${label}:` : `${label}: ${title}` }] });
}

/** A heading's anchor: its own id, else a named anchor inside it, else its permalink's target. */
function keepHeadingId(heading: Element): void {
  if (typeof heading.properties.id === 'string' && heading.properties.id !== '') return;
  const named = select('a[id], a[name], span[id]', heading);
  const namedId = named?.properties.id ?? named?.properties.name;
  const permalink = select('a[href^="#"]', heading);
  const href = permalink?.properties.href;
  const id = typeof namedId === 'string' && namedId !== '' ? namedId : typeof href === 'string' && href.length > 1 ? decodeFragment(href.slice(1)) : null;
  if (id !== null) heading.properties.id = id;
}

function decodeFragment(fragment: string): string {
  try {
    return decodeURIComponent(fragment);
  } catch {
    return fragment;
  }
}

/** An anchor inside a heading that shows only a permalink symbol (`#`, `¶`) or nothing. */
function isPermalink(element: Element): boolean {
  if (element.tagName !== 'a') return false;
  const href = element.properties.href;
  return typeof href === 'string' && href.startsWith('#') && permalinkText.test(textContent(element)) && selectAll('img', element).length === 0;
}

/** Pygments' `linenos: table`: the line numbers in one cell, the code in the next. */
function unwrapLineNumberTable(table: Element): void {
  const code = select('td.code pre', table);
  if (!code) return;
  table.tagName = 'div';
  table.properties = { className: ['highlight'] };
  table.children = [code];
}

const languageClass = /^(?:language|lang|highlight-source|highlight)-([\w+#.-]+)$/;

/** The language a code block declares on itself, its `<code>`, or a wrapper between it and the container. */
function languageAround(pre: Element, container: Root | Element): string | null {
  const code = select('code', pre);
  for (const element of [code, pre]) {
    const language = element ? declaredLanguage(element) : null;
    if (language) return language;
  }
  const path = ancestors(container, pre) ?? [];
  for (const ancestor of path.reverse()) {
    const language = declaredLanguage(ancestor);
    if (language) return language;
  }
  return null;
}

function declaredLanguage(element: Element): string | null {
  const data = element.properties.dataLanguage ?? element.properties.dataLang;
  if (typeof data === 'string' && data.trim() !== '') return data.trim();
  const classes = Array.isArray(element.properties.className) ? element.properties.className.map(String) : [];
  for (const name of classes) {
    const language = languageClass.exec(name)?.[1];
    if (language && language !== 'plaintext' && language !== 'none') return language;
  }
  return null;
}

function ancestors(root: Root | Element, target: Element): Element[] | null {
  for (const child of root.children) {
    if (child.type !== 'element') continue;
    if (child === target) return [];
    const below = ancestors(child, target);
    if (below) return [child, ...below];
  }
  return null;
}

/** One `<code class="language-x">` holding the block's text, lines kept whether split by newlines, `<br>` or divs. */
function normalizeCodeBlock(pre: Element, language: string | null): void {
  remove(pre, (element) => matches(docSiteChrome, element));
  const text = codeText(pre).replace(/\n+$/, '');
  pre.children = [
    {
      type: 'element',
      tagName: 'code',
      properties: language ? { className: [`language-${language}`] } : {},
      children: [{ type: 'text', value: text }],
    },
  ];
}

const lineElements = new Set(['div', 'p', 'li', 'tr', 'table']);

function codeText(node: ElementContent | Element): string {
  if (node.type === 'text') return node.value;
  if (node.type !== 'element') return '';
  if (node.tagName === 'br') return '\n';
  const inner = node.children.map(codeText).join('');
  // A line in its own element (Prism's and Expressive Code's divs) ends with a break.
  return lineElements.has(node.tagName) && inner !== '' && !inner.endsWith('\n') ? `${inner}\n` : inner;
}

/**
 * Tab sets (Docusaurus `.tabs-container`, MkDocs `.tabbed-set`): each panel opens with
 * its tab's label ("npm: …"), and the row of labels is dropped.
 */
function labelTabs(set: Element): void {
  const labels = selectAll('[role=tab], .tabbed-labels > label', set);
  const panels = selectAll('[role=tabpanel], .tabbed-content > .tabbed-block', set);
  if (labels.length === 0 || labels.length !== panels.length) return;
  panels.forEach((panel, index) => {
    const label = textContent(labels[index]!).trim();
    if (label !== '') panel.children.unshift({ type: 'element', tagName: 'p', properties: {}, children: [{ type: 'text', value: `${label}:` }] });
    // A hidden panel (the tabs not shown first) is content all the same.
    delete panel.properties.hidden;
  });
  remove(set, (element) => matches('[role=tablist], .tabbed-labels, input', element));
}

function remove(parent: Root | Element, isNoise: (element: Element) => boolean): void {
  parent.children = parent.children.filter((child) => child.type !== 'element' || !isNoise(child)) as typeof parent.children;
  for (const child of parent.children) if (child.type === 'element') remove(child, isNoise);
}

function textContent(node: ElementContent | Element): string {
  if (node.type === 'text') return node.value;
  return node.type === 'element' ? node.children.map(textContent).join('') : '';
}
