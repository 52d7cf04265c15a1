import type { ContainerDirective } from 'mdast-util-directive';
import type { ListItem, Nodes, Paragraph, Root, RootContent } from 'mdast';
import type { MdxJsxAttribute, MdxJsxExpressionAttribute, MdxJsxFlowElement, MdxJsxTextElement } from 'mdast-util-mdx';
import { toString } from 'mdast-util-to-string';

declare module 'mdast' {
  interface HeadingData {
    /** The heading's custom anchor (`{#custom-id}`), kept for the block and its citations. */
    id?: string;
  }
}

/**
 * Rewrites the documentation-site parts of a Markdown tree (container directives, MDX
 * JSX components, expressions, imports) into plain Markdown nodes, so the one mapping to
 * blocks never sees markup it would leak: notes and admonitions become their kind and
 * title ("Tip: Title") followed by their content, tabs labelled sections, simple steps a
 * numbered list, any other component its children. Heading anchors found by the pre-pass
 * are attached to their headings.
 */
export function normalizeDocSiteTree(tree: Root, source: string, anchorsByLine: ReadonlyMap<number, string>): Root {
  return { ...tree, children: normalizeChildren(tree.children, { source, anchorsByLine }) };
}

interface Context {
  source: string;
  anchorsByLine: ReadonlyMap<number, string>;
}

// Containers and components that only group their content (VitePress code groups, tab sets).
const groupingNames = new Set(['code-group', 'raw', 'v-pre', 'tabs', 'cardgroup', 'columns', 'steps']);
// JSX components that render a note; the rest take their kind from a `type` attribute.
const noteComponents = new Set(['admonition', 'aside', 'callout', 'note', 'tip', 'info', 'warning', 'danger', 'caution', 'check']);
const tabComponents = new Set(['tabitem', 'tab']);
// Containers whose title labels their content rather than naming a kind of note (GitBook tabs and code titles, steps).
const labelledContainers = new Set(['tab', 'tabitem', 'code']);
const cardComponents = new Set(['card', 'accordion', 'details']);

function normalizeChildren(nodes: readonly RootContent[], context: Context): RootContent[] {
  return nodes.flatMap((node) => normalizeNode(node, context));
}

function normalizeNode(node: RootContent, context: Context): RootContent[] {
  switch (node.type) {
    case 'mdxjsEsm':
    case 'mdxFlowExpression':
    case 'mdxTextExpression':
      return [];
    case 'containerDirective':
      return containerToNote(node, context);
    case 'leafDirective':
    case 'textDirective':
      // Only containers are doc-site syntax; `::name` or `:name` was meant as text (a time, `::`).
      return [restoredText(node, context.source, node.type === 'leafDirective')];
    case 'mdxJsxFlowElement':
      return componentToNodes(node, context);
    case 'paragraph': {
      // A component written on one line (`<Aside type="tip">Text.</Aside>`) is parsed as a paragraph holding it.
      const sole = soleComponent(node);
      if (sole) return componentToNodes({ ...sole, type: 'mdxJsxFlowElement', children: [{ type: 'paragraph', children: sole.children }] }, context);
      return [{ ...node, children: normalizeChildren(node.children, context) as Paragraph['children'] }];
    }
    case 'mdxJsxTextElement':
      // Inline components (<Badge>, <kbd>) keep their text where they stand.
      return normalizeChildren(node.children, context);
    case 'heading': {
      const id = node.position ? context.anchorsByLine.get(node.position.start.line) : undefined;
      const children = normalizeChildren(node.children, context) as typeof node.children;
      return [{ ...node, children, ...(id ? { data: { ...node.data, id } } : {}) }];
    }
    default:
      if ('children' in node) return [{ ...node, children: normalizeChildren(node.children as RootContent[], context) } as RootContent];
      return [node];
  }
}

function soleComponent(paragraph: Paragraph): MdxJsxTextElement | null {
  const meaningful = paragraph.children.filter((child) => !(child.type === 'text' && child.value.trim() === ''));
  const [only] = meaningful;
  return meaningful.length === 1 && only?.type === 'mdxJsxTextElement' ? only : null;
}

function containerToNote(node: ContainerDirective, context: Context): RootContent[] {
  const [first, ...rest] = node.children;
  const hasLabel = first?.type === 'paragraph' && first.data?.directiveLabel === true;
  const title = hasLabel ? first : null;
  const content = normalizeChildren(hasLabel ? rest : node.children, context);
  if (groupingNames.has(node.name.toLowerCase())) return title ? [title, ...content] : content;
  if (labelledContainers.has(node.name.toLowerCase())) return labelled(title ? toString(title) : null, content);
  return asNote(capitalized(node.name), title ? title.children : null, content);
}

function componentToNodes(node: MdxJsxFlowElement, context: Context): RootContent[] {
  const name = (node.name ?? '').toLowerCase();
  const content = normalizeChildren(node.children, context);
  const title = stringAttribute(node.attributes, 'title');
  if (noteComponents.has(name)) {
    const kind = stringAttribute(node.attributes, 'type') ?? (name === 'admonition' || name === 'aside' || name === 'callout' ? 'note' : name);
    return asNote(capitalized(kind), title === null ? null : [{ type: 'text', value: title }], content);
  }
  if (tabComponents.has(name)) {
    const label = stringAttribute(node.attributes, 'label') ?? stringAttribute(node.attributes, 'title') ?? stringAttribute(node.attributes, 'value');
    return label === null ? content : labelled(label, content);
  }
  if (name === 'steps') return stepsToNodes(node, context);
  if (cardComponents.has(name) && title !== null) return labelled(title, content);
  return content;
}

/** Steps whose every step is a title and prose become a numbered list; richer steps numbered sections. */
function stepsToNodes(node: MdxJsxFlowElement, context: Context): RootContent[] {
  const steps = stepElements(node);
  if (steps.length === 0) return normalizeChildren(node.children, context);
  const simple = steps.every((step) => step.children.every((child) => child.type === 'paragraph'));
  if (simple) {
    const items: ListItem[] = steps.map((step) => ({
      type: 'listItem',
      spread: false,
      children: labelled(stringAttribute(step.attributes, 'title'), normalizeChildren(step.children, context)) as ListItem['children'],
    }));
    return [{ type: 'list', ordered: true, spread: false, children: items }];
  }
  return steps.flatMap((step, index) => {
    const title = stringAttribute(step.attributes, 'title');
    return labelled(title === null ? `Step ${index + 1}` : `${index + 1}. ${title}`, normalizeChildren(step.children, context));
  });
}

/**
 * The <Step> elements of a <Steps>, each with block children. A step written on one line
 * (`<Step title="…">Run it.</Step>`) is parsed as inline content of a paragraph; its text
 * becomes the step's paragraph.
 */
interface Step {
  attributes: MdxJsxFlowElement['attributes'];
  children: RootContent[];
}

function stepElements(node: MdxJsxFlowElement): Step[] {
  const isStep = (child: { type: string; name?: string | null }) => child.name?.toLowerCase() === 'step';
  return node.children.flatMap((child): Step[] => {
    if (child.type === 'mdxJsxFlowElement' && isStep(child)) return [child];
    if (child.type !== 'paragraph') return [];
    return child.children.flatMap((inline): Step[] =>
      inline.type === 'mdxJsxTextElement' && isStep(inline)
        ? [{ attributes: inline.attributes, children: [{ type: 'paragraph', children: inline.children } satisfies Paragraph] }]
        : [],
    );
  });
}

/** A note: "Kind: Title" on its own line before the content, or "Kind: " leading the first paragraph. */
function asNote(kind: string, title: Paragraph['children'] | null, content: RootContent[]): RootContent[] {
  if (title === null) return labelled(kind, content);
  return [{ type: 'paragraph', children: [{ type: 'text', value: `${kind}: ` }, ...title] }, ...content];
}

/** Content under a label: "label: " leads its first paragraph, else stands as a line of its own. */
function labelled(label: string | null, content: RootContent[]): RootContent[] {
  if (label === null || label.trim() === '') return content;
  const [first, ...rest] = content;
  if (first?.type === 'paragraph') {
    return [{ ...first, children: [{ type: 'text', value: `${label.trim()}: ` }, ...first.children] }, ...rest];
  }
  return [{ type: 'paragraph', children: [{ type: 'text', value: `${label.trim()}:` }] }, ...content];
}

function restoredText(node: Nodes, source: string, asParagraph: boolean): RootContent {
  const start = node.position?.start.offset;
  const end = node.position?.end.offset;
  const value = start === undefined || end === undefined ? '' : source.slice(start, end);
  return asParagraph ? { type: 'paragraph', children: [{ type: 'text', value }] } : { type: 'text', value };
}

function stringAttribute(attributes: readonly (MdxJsxAttribute | MdxJsxExpressionAttribute)[], name: string): string | null {
  const attribute = attributes.find((candidate) => candidate.type === 'mdxJsxAttribute' && candidate.name === name);
  return typeof attribute?.value === 'string' && attribute.value.trim() !== '' ? attribute.value.trim() : null;
}

function capitalized(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1).toLowerCase();
}
