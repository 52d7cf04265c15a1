/**
 * The import-cycle gate of `npm run lint`: no module of src/, ingest/, evals/ or bench/ may
 * reach itself again through its imports. Type-only imports count: a type-only cycle
 * still ties two files together (neither can be read or moved without the other), and
 * it is how a value cycle begins. So dpdm reads the TypeScript as written; its
 * `--transform` option would erase `import type` first and hide such a cycle.
 *
 *   tsx scripts/check-cycles.ts [root]     root: the folder holding src/ (default: here)
 *
 * Exits 1 and lists the cycles when there is one, 0 otherwise.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseCircular, parseDependencyTree, prettyCircular } from 'dpdm';

/** What the gate reads, relative to the root; tests are free to import across stages. */
export const checkedFiles = ['src/**/*.ts', 'ingest/**/*.ts', 'evals/**/*.ts', 'bench/**/*.ts'];

/** Every import cycle among the checked files under `root`, each as the files around it. */
export async function findImportCycles(root: string): Promise<string[][]> {
  const tree = await parseDependencyTree(checkedFiles, {
    cwd: root,
    context: root,
    transform: false,
    skipDynamicImports: false,
  });
  return parseCircular(tree).map(startingAtFirstName);
}

/**
 * A cycle rotated to start at its alphabetically first file. dpdm starts it wherever its
 * walk entered the cycle, which follows the file system's listing order, so the same
 * cycle printed differently from one machine to the next.
 */
function startingAtFirstName(cycle: string[]): string[] {
  const first = cycle.indexOf([...cycle].sort()[0]!);
  return [...cycle.slice(first), ...cycle.slice(0, first)];
}

async function main(): Promise<void> {
  const root = path.resolve(process.argv[2] ?? '.');
  const cycles = await findImportCycles(root);
  if (cycles.length === 0) {
    console.log('No import cycles (type-only imports included).');
    return;
  }
  console.error(`Import cycles (type-only imports included):\n${prettyCircular(cycles)}`);
  process.exitCode = 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
