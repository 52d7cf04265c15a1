import { XMLParser } from 'fast-xml-parser';

/** An element of an Office part, with its qualified name (`a:t`) and attributes as written. */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlNode[];
}

/** An element, or a run of character data. */
export type XmlNode = XmlElement | string;

/** Office parts nest a few dozen levels; thousands is a file built to exhaust the stack. */
export const maxXmlDepth = 200;

const parser = new XMLParser({
  // Mixed content (`<text:p>a<text:span>b</text:span>c</text:p>`) must keep its order.
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  // Entities are decoded here, in one pass (`decodeEntities`): fast-xml-parser leaves numeric
  // references as written, and decoding `&amp;` first would turn `&amp;#65;` into `A`.
  processEntities: false,
  // Its own guard against deep nesting, raised to ours; `toNodes` checks again.
  maxNestedTags: maxXmlDepth,
});

/** Why an Office part could not be read as XML; the loader words it for its format. */
export class XmlReadError extends Error {
  override readonly name = 'XmlReadError';
}

/**
 * The root element of an XML part. A DOCTYPE is refused: Office Open XML and
 * OpenDocument never have one, and it is how entity-expansion bombs are declared.
 * Parsing is lenient (an unclosed tag closes at the end); null when there is no root.
 */
export function parseXml(text: string, part: string): XmlElement | null {
  if (/<!DOCTYPE/i.test(text)) throw new XmlReadError(`${part} declares a DOCTYPE, which Office files never do`);
  let raw: unknown;
  try {
    raw = parser.parse(text);
  } catch (error) {
    const message = (error as Error).message.split('\n')[0] ?? '';
    if (/nested tags/i.test(message)) throw tooDeep(part);
    throw new XmlReadError(`${part} is not well-formed XML (${message})`);
  }
  const root = toNodes(raw, part).find((node): node is XmlElement => typeof node !== 'string' && !node.name.startsWith('?'));
  return root ?? null;
}

/** The part after the namespace prefix: `a:t` → `t`. Prefixes are conventions, not contracts. */
export function localName(name: string): string {
  return name.slice(name.indexOf(':') + 1);
}

/** Child elements with this local name. */
export function childrenNamed(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((child): child is XmlElement => typeof child !== 'string' && localName(child.name) === name);
}

export function childNamed(element: XmlElement, name: string): XmlElement | undefined {
  return childrenNamed(element, name)[0];
}

/** The first element along a path of local names: `childAt(workbook, 'sheets', 'sheet')`. */
export function childAt(element: XmlElement | undefined, ...path: string[]): XmlElement | undefined {
  let current = element;
  for (const name of path) current = current && childNamed(current, name);
  return current;
}

/** Every descendant element with this local name, in document order (not inside a match). */
export function descendantsNamed(element: XmlElement, name: string): XmlElement[] {
  const found: XmlElement[] = [];
  for (const child of element.children) {
    if (typeof child === 'string') continue;
    if (localName(child.name) === name) found.push(child);
    else found.push(...descendantsNamed(child, name));
  }
  return found;
}

/**
 * An attribute by local name, written with or without a prefix (OpenDocument prefixes
 * every attribute: `table:name`). `namespaced: true` takes only a prefixed one, so a
 * relationship (`r:id`) is not mistaken for an unprefixed attribute of the same local
 * name (`id`, a number); `namespaced: false` only an unprefixed one.
 */
export function attribute(element: XmlElement, name: string, { namespaced }: { namespaced?: boolean } = {}): string | undefined {
  if (namespaced !== true && name in element.attributes) return element.attributes[name];
  if (namespaced === false) return undefined;
  for (const [key, value] of Object.entries(element.attributes)) {
    if (key.includes(':') && !key.startsWith('xmlns') && localName(key) === name) return value;
  }
  return undefined;
}

/** All character data under an element, concatenated. */
export function textContent(node: XmlNode): string {
  if (typeof node === 'string') return node;
  return node.children.map(textContent).join('');
}

const entity = /&(#x[0-9a-f]+|#[0-9]+|amp|lt|gt|quot|apos);/gi;
const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** XML's five entities and character references; anything else stays as written. */
export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(entity, (whole, reference: string) => {
    if (reference[0] !== '#') return named[reference.toLowerCase()] ?? whole;
    const code = reference[1] === 'x' || reference[1] === 'X' ? Number.parseInt(reference.slice(2), 16) : Number(reference.slice(1));
    return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff) ? String.fromCodePoint(code) : whole;
  });
}

function tooDeep(part: string): XmlReadError {
  return new XmlReadError(`${part} nests elements more than ${maxXmlDepth} deep`);
}

type RawNode = Record<string, unknown>;

/** fast-xml-parser's ordered output as typed nodes, built without recursion so depth is checked, not overflowed. */
function toNodes(raw: unknown, part: string): XmlNode[] {
  const top: XmlNode[] = [];
  const pending: { raws: unknown; into: XmlNode[]; depth: number }[] = [{ raws: raw, into: top, depth: 0 }];
  while (pending.length > 0) {
    const { raws, into, depth } = pending.pop()!;
    if (!Array.isArray(raws)) continue;
    if (depth > maxXmlDepth) throw tooDeep(part);
    for (const item of raws as RawNode[]) {
      if (typeof item !== 'object' || item === null) continue;
      const name = Object.keys(item).find((key) => key !== ':@');
      if (name === undefined) continue;
      if (name === '#text') {
        into.push(decodeEntities(String(item[name])));
        continue;
      }
      const attributes: Record<string, string> = {};
      const rawAttributes = item[':@'];
      if (typeof rawAttributes === 'object' && rawAttributes !== null) {
        for (const [key, value] of Object.entries(rawAttributes)) attributes[key] = decodeEntities(String(value));
      }
      const element: XmlElement = { name, attributes, children: [] };
      into.push(element);
      pending.push({ raws: item[name], into: element.children, depth: depth + 1 });
    }
  }
  return top;
}
