import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

/**
 * The cycle gate `npm run lint` runs (scripts/check-cycles.ts), run the same way on a
 * tiny project: it must see a cycle made only of `import type`, which dpdm's
 * `--transform` used to erase (src/api/auth.ts ↔ src/api/context.ts went unnoticed).
 */

const run = promisify(execFile);
const gate = path.resolve('scripts/check-cycles.ts');

async function checkCycles(root: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', gate, root], { timeout: 60_000 });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: failed.stdout + failed.stderr };
  }
}

describe('the import-cycle gate', () => {
  let root: string;

  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'oriole-cycles-'));
    await mkdir(path.join(root, 'src/api'), { recursive: true });
    await writeFile(
      path.join(root, 'src/api/context.ts'),
      "import type { Principal } from './auth.ts';\nexport interface AppEnvironment { principal: Principal }\n",
    );
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('fails on a cycle made only of type imports, naming its files', async () => {
    await writeFile(
      path.join(root, 'src/api/auth.ts'),
      "import type { AppEnvironment } from './context.ts';\n" +
        'export interface Principal { keyId: string }\n' +
        "export const principalOf = (environment: AppEnvironment): Principal => environment.principal;\n",
    );

    const result = await checkCycles(root);

    expect(result.code).toBe(1);
    expect(result.output).toContain('src/api/auth.ts -> src/api/context.ts');
  }, 90_000);

  it('passes once the shared type lives on one side', async () => {
    await writeFile(path.join(root, 'src/api/auth.ts'), 'export interface Principal { keyId: string }\n');

    const result = await checkCycles(root);

    expect(result.output).not.toContain('->');
    expect(result.code).toBe(0);
  }, 90_000);
});
