import type { Command } from 'commander';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/entry/cli.ts';
import { codeSpans, readReferencePage, type DocSection } from '../helpers/reference-docs.ts';

/**
 * docs/cli.md is the CLI reference a user reads without a clone: every command and option
 * the program has must be described there under its own command, and everything it
 * describes must exist. The program is built, never run.
 */

interface CommandEntry {
  /** "oriole kb create" */
  path: string;
  command: Command;
}

function walk(command: Command, parents: string[] = []): CommandEntry[] {
  const path = [...parents, command.name()];
  return [{ path: path.join(' '), command }, ...command.commands.flatMap((child) => walk(child, path))];
}

/** A command with nothing of its own to describe: only subcommands (`oriole kb`). */
function isGroup(command: Command): boolean {
  return command.commands.length > 0 && command.options.length === 0 && command.registeredArguments.length === 0;
}

function argumentsOf(command: Command): string[] {
  return command.registeredArguments.map((argument) => {
    const name = `${argument.name()}${argument.variadic ? '...' : ''}`;
    return argument.required ? `<${name}>` : `[${name}]`;
  });
}

/** A command section's heading: "`oriole kb create <name>`" → path and arguments. */
function parseHeading(section: DocSection): { path: string; arguments: string[] } | undefined {
  const match = /^`(oriole(?: [^`]*)?)`$/.exec(section.heading);
  if (!match) return undefined;
  const words = match[1]!.split(' ');
  const firstArgument = words.findIndex((word) => /^[<[-]/.test(word));
  const end = firstArgument < 0 ? words.length : firstArgument;
  return { path: words.slice(0, end).join(' '), arguments: words.slice(end) };
}

describe('docs/cli.md, the CLI reference', () => {
  let commands: CommandEntry[];
  let documented: Map<string, { arguments: string[]; body: string }>;
  beforeAll(async () => {
    commands = walk(buildProgram({}));
    const { sections } = await readReferencePage('cli.md');
    documented = new Map();
    for (const section of sections) {
      const heading = parseHeading(section);
      if (heading) documented.set(heading.path, { arguments: heading.arguments, body: section.body });
    }
  });

  it('describes every command, with its arguments in the heading, and every option in its section', () => {
    const missing: string[] = [];
    for (const { path, command } of commands) {
      if (isGroup(command)) continue;
      const section = documented.get(path);
      if (!section) {
        missing.push(`no section "\`${[path, ...argumentsOf(command)].join(' ')}\`" for the command \`${path}\``);
        continue;
      }
      if (section.arguments.join(' ') !== argumentsOf(command).join(' ')) {
        missing.push(`\`${path}\` takes ${argumentsOf(command).join(' ') || 'no arguments'}; its heading says ${section.arguments.join(' ') || 'none'}`);
      }
      const spans = codeSpans(section.body);
      for (const option of command.options) {
        const long = option.long!;
        if (!spans.some((span) => span === long || span.startsWith(`${long} `))) {
          missing.push(`\`${path}\`'s section does not describe its option \`${option.flags}\``);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('describes no command or option the program does not have', () => {
    const known = new Map(commands.map((entry) => [entry.path, entry.command]));
    const unknown: string[] = [];
    for (const [path, section] of documented) {
      const command = known.get(path);
      if (!command) {
        unknown.push(`docs/cli.md has a section for \`${path}\`, which is not a command`);
        continue;
      }
      const longs = new Set([...command.options.map((option) => option.long), '--help']);
      for (const span of codeSpans(section.body)) {
        const flag = /^(--[a-z][\w-]*)/.exec(span)?.[1];
        if (flag && !longs.has(flag)) unknown.push(`\`${path}\`'s section names \`${flag}\`, which it does not take`);
      }
    }
    expect(unknown).toEqual([]);
  });
});
