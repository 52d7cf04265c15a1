import { XMLParser } from 'fast-xml-parser';

/**
 * Confluence's storage format as plain HTML the HTML loader reads. Storage format is
 * XHTML plus `ac:` (macros, links, images, tasks, layouts) and `ri:` (resource
 * references) elements, with code in CDATA sections and HTML entities such as `&nbsp;`.
 * It is parsed as XML, not HTML: an HTML parser treats CDATA as a comment ending at the
 * first `>` and ignores the `/>` of `<ri:page …/>` or `<ac:emoticon …/>`, nesting the
 * rest of the paragraph inside them.
 *
 * - code and noformat macros → `<pre><code class="language-x">…</code></pre>`;
 * - info, note, warning and tip macros, and the new editor's panels → `<div class="admonition kind">`
 *   (the loader words them "Warning: …", as it does MkDocs admonitions; `<aside>` would be
 *   dropped as page chrome), their title as `admonition-title`;
 * - every other macro → its rich-text body, or its plain-text body as `<pre>`; parameters dropped;
 * - links → their text (an external link stays a link); images → their caption or alt text;
 *   task lists → lists; layouts → divs; emoticons and placeholders dropped.
 */

/** Page bodies nest a few dozen levels; hundreds is a body built to exhaust the stack. */
export const maxStorageDepth = 200;

export class StorageFormatError extends Error {
  override readonly name = 'StorageFormatError';
}

interface StorageElement {
  name: string;
  attributes: Record<string, string>;
  children: StorageNode[];
}
type StorageNode = StorageElement | string;

const parser = new XMLParser({
  // Mixed content (`<p>a<strong>b</strong>c</p>`) must keep its order.
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  // Storage format uses HTML's named entities (`&nbsp;`, `&rsquo;`), not only XML's five.
  processEntities: true,
  htmlEntities: true,
  cdataPropName: '#cdata',
  maxNestedTags: maxStorageDepth,
});

const panelKinds: Record<string, string> = { info: 'info', note: 'note', warning: 'warning', tip: 'tip' };
/** The new editor's panel types (`panel-type`) that name a kind; a custom panel has none. */
const adfPanelKinds: Record<string, string> = { info: 'info', note: 'note', warning: 'warning', success: 'success', error: 'error' };
const voidElements = new Set(['area', 'br', 'col', 'embed', 'hr', 'img', 'source', 'track', 'wbr']);
/** Never content; the HTML loader would drop most of them anyway. */
const droppedElements = new Set(['script', 'style', 'iframe', 'object', 'link', 'meta', 'base', 'input', 'button', 'form']);

/** A page's storage-format body as HTML. Throws `StorageFormatError` when it is not well-formed. */
export function storageToHtml(storage: string): string {
  return renderAll(parseStorage(storage));
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function parseStorage(storage: string): StorageNode[] {
  // Storage bodies never declare a DOCTYPE; one is how entity-expansion bombs are declared.
  if (/<!DOCTYPE/i.test(storage)) throw new StorageFormatError('the page body declares a DOCTYPE');
  let raw: unknown;
  try {
    raw = parser.parse(`<oriole-storage>${storage}</oriole-storage>`);
  } catch (error) {
    throw new StorageFormatError(`the page body is not well-formed XHTML (${(error as Error).message.split('\n')[0] ?? ''})`);
  }
  const root = toNodes(raw).find((node): node is StorageElement => typeof node !== 'string');
  return root?.children ?? [];
}

type RawNode = Record<string, unknown>;

function toNodes(raw: unknown): StorageNode[] {
  if (!Array.isArray(raw)) return [];
  const nodes: StorageNode[] = [];
  for (const item of raw as RawNode[]) {
    if (typeof item !== 'object' || item === null) continue;
    const name = Object.keys(item).find((key) => key !== ':@');
    if (name === undefined) continue;
    if (name === '#text') nodes.push(String(item[name]));
    else if (name === '#cdata') nodes.push(...toNodes(item[name]));
    else nodes.push({ name, attributes: attributesOf(item[':@']), children: toNodes(item[name]) });
  }
  return nodes;
}

function attributesOf(raw: unknown): Record<string, string> {
  if (typeof raw !== 'object' || raw === null) return {};
  return Object.fromEntries(Object.entries(raw).map(([key, value]) => [key, String(value)]));
}

function renderAll(nodes: readonly StorageNode[]): string {
  return nodes.map(render).join('');
}

function render(node: StorageNode): string {
  if (typeof node === 'string') return escapeHtml(node);
  const prefix = node.name.includes(':') ? node.name.slice(0, node.name.indexOf(':')) : '';
  if (prefix === 'ac') return renderConfluence(node);
  if (prefix === 'ri') return '';
  if (prefix !== '') return renderAll(node.children);
  return renderHtml(node);
}

function renderHtml(element: StorageElement): string {
  const name = element.name.toLowerCase();
  if (!/^[a-z][a-z0-9]*$/.test(name) || droppedElements.has(name)) return '';
  const attributes = Object.entries(element.attributes)
    .filter(([key]) => /^[a-z][a-z0-9-]*$/i.test(key) && !/^on/i.test(key))
    .map(([key, value]) => ` ${key}="${escapeHtml(value)}"`)
    .join('');
  if (voidElements.has(name)) return `<${name}${attributes}>`;
  // `<time datetime="…"/>` is how storage format writes a date; its text is the date.
  const inner = name === 'time' && element.children.length === 0 ? escapeHtml(element.attributes.datetime ?? '') : renderAll(element.children);
  return `<${name}${attributes}>${inner}</${name}>`;
}

function renderConfluence(element: StorageElement): string {
  switch (element.name) {
    case 'ac:structured-macro':
    case 'ac:macro':
      return renderMacro(element);
    case 'ac:link':
      return renderLink(element);
    case 'ac:image':
      return renderImage(element);
    case 'ac:task-list':
      return `<ul>${renderAll(element.children)}</ul>`;
    case 'ac:task':
      return `<li>${renderAll(child(element, 'ac:task-body')?.children ?? [])}</li>`;
    case 'ac:layout':
    case 'ac:layout-section':
    case 'ac:layout-cell':
      return `<div>${renderAll(element.children)}</div>`;
    case 'ac:adf-extension':
      return renderAdfExtension(element);
    case 'ac:plain-text-body':
      return `<pre>${escapeHtml(textOf(element))}</pre>`;
    case 'ac:parameter':
    case 'ac:placeholder':
    case 'ac:emoticon':
    case 'ac:task-id':
    case 'ac:task-uuid':
    case 'ac:task-status':
      return '';
    default:
      // Inline comment markers, rich-text bodies, and whatever Confluence adds next: keep the text.
      return renderAll(element.children);
  }
}

function renderMacro(macro: StorageElement): string {
  const name = (macro.attributes['ac:name'] ?? '').toLowerCase();
  const body = child(macro, 'ac:rich-text-body');
  if (name === 'code' || name === 'noformat') return codeBlock(textOf(child(macro, 'ac:plain-text-body')), name === 'code' ? parameter(macro, 'language') : undefined);
  const kind = panelKinds[name];
  if (kind !== undefined) return panel(kind, parameter(macro, 'title'), body?.children ?? []);
  if (name === 'panel' || name === 'expand') return titledBlock(parameter(macro, 'title'), body?.children ?? []);
  // A status lozenge's text is its title parameter ("IN PROGRESS").
  if (name === 'status') return `<span>${escapeHtml(parameter(macro, 'title') ?? '')}</span>`;
  if (body) return `<div>${renderAll(body.children)}</div>`;
  const plain = child(macro, 'ac:plain-text-body');
  return plain ? `<pre>${escapeHtml(textOf(plain))}</pre>` : '';
}

function codeBlock(code: string, language: string | undefined): string {
  const name = language?.trim().toLowerCase();
  const attribute = name && /^[a-z0-9#+._-]{1,40}$/.test(name) ? ` class="language-${escapeHtml(name)}"` : '';
  return `<pre><code${attribute}>${escapeHtml(code)}</code></pre>`;
}

function panel(kind: string, title: string | undefined, body: readonly StorageNode[]): string {
  const heading = title?.trim() ? `<p class="admonition-title">${escapeHtml(title.trim())}</p>` : '';
  return `<div class="admonition ${kind}">${heading}${renderAll(body)}</div>`;
}

function titledBlock(title: string | undefined, body: readonly StorageNode[]): string {
  const heading = title?.trim() ? `<p><strong>${escapeHtml(title.trim())}</strong></p>` : '';
  return `<div>${heading}${renderAll(body)}</div>`;
}

/**
 * Panels of the new editor are ADF nodes wrapped for storage format, with an HTML
 * fallback for readers that do not know them; any other ADF node is read from that fallback.
 */
function renderAdfExtension(extension: StorageElement): string {
  const node = child(extension, 'ac:adf-node');
  const content = node && child(node, 'ac:adf-content');
  if (node?.attributes.type === 'panel' && content) {
    const type = node.children.find((entry): entry is StorageElement => typeof entry !== 'string' && entry.name === 'ac:adf-attribute' && entry.attributes.key === 'panel-type');
    const kind = adfPanelKinds[textOf(type).trim()];
    return kind === undefined ? `<div>${renderAll(content.children)}</div>` : panel(kind, undefined, content.children);
  }
  const fallback = child(extension, 'ac:adf-fallback');
  if (fallback) return renderAll(fallback.children);
  return content ? renderAll(content.children) : '';
}

function renderLink(link: StorageElement): string {
  const richBody = child(link, 'ac:link-body');
  const plainBody = child(link, 'ac:plain-text-link-body');
  const text = richBody ? renderAll(richBody.children) : plainBody ? escapeHtml(textOf(plainBody)) : escapeHtml(linkTargetName(link));
  const href = child(link, 'ri:url')?.attributes['ri:value'];
  return href && /^https?:\/\//i.test(href) ? `<a href="${escapeHtml(href)}">${text}</a>` : text;
}

/** What a link without its own text shows: the page title, the file name. */
function linkTargetName(link: StorageElement): string {
  for (const entry of link.children) {
    if (typeof entry === 'string') continue;
    const name = entry.attributes['ri:content-title'] ?? entry.attributes['ri:filename'] ?? entry.attributes['ri:value'];
    if (name !== undefined) return name;
  }
  return '';
}

function renderImage(image: StorageElement): string {
  const caption = child(image, 'ac:caption');
  if (caption) return `<p>${renderAll(caption.children)}</p>`;
  const alt = image.attributes['ac:alt']?.trim();
  return alt ? `<img alt="${escapeHtml(alt)}">` : '';
}

function child(element: StorageElement, name: string): StorageElement | undefined {
  return element.children.find((entry): entry is StorageElement => typeof entry !== 'string' && entry.name === name);
}

/** A macro parameter's value: `<ac:parameter ac:name="language">js</ac:parameter>`. */
function parameter(macro: StorageElement, name: string): string | undefined {
  const found = macro.children.find(
    (entry): entry is StorageElement => typeof entry !== 'string' && entry.name === 'ac:parameter' && entry.attributes['ac:name'] === name,
  );
  return found ? textOf(found) : undefined;
}

function textOf(node: StorageNode | undefined): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node;
  return node.children.map(textOf).join('');
}
