import { readFile } from 'node:fs/promises';
import path from 'node:path';

/** A reference page of docs/ split at its headings, for tests that check it against the code. */
export interface DocSection {
  /** The heading's text, without the leading #s. */
  heading: string;
  /** The lines up to the next heading of any level. */
  body: string;
}

export async function readReferencePage(name: string): Promise<{ text: string; sections: DocSection[] }> {
  const text = await readFile(path.resolve(import.meta.dirname, '../../docs', name), 'utf8');
  const sections: DocSection[] = [];
  let inFence = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('```')) inFence = !inFence;
    const heading = inFence ? null : /^#{1,6}\s+(.*)$/.exec(line);
    if (heading) sections.push({ heading: heading[1]!.trim(), body: '' });
    else if (sections.length > 0) sections[sections.length - 1]!.body += `${line}\n`;
  }
  return { text, sections };
}

/** The words between backticks in a piece of Markdown. */
export function codeSpans(markdown: string): string[] {
  return [...markdown.matchAll(/`([^`\n]+)`/g)].map((match) => match[1]!);
}
