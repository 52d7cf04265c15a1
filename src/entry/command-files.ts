import { readFile, writeFile } from 'node:fs/promises';
import { invalidRequest } from '../core/index.ts';

/**
 * Files a command reads or writes because the user named them: a path that is missing,
 * a folder or unreadable is the user's input gone wrong, so it is a clear `invalid_request`
 * (exit 2) naming the file and the reason, never a stack trace.
 */
export async function readNamedFile(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw invalidRequest(`cannot read ${what} ${file}: ${reasonOf(error)}`);
  }
}

export async function writeNamedFile(file: string, text: string, what: string): Promise<void> {
  try {
    await writeFile(file, text, 'utf8');
  } catch (error) {
    throw invalidRequest(`cannot write ${what} ${file}: ${reasonOf(error)}`);
  }
}

function reasonOf(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or folder';
    case 'EISDIR':
      return 'it is a folder';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    default:
      return code ?? (error as Error).message;
  }
}
