#!/usr/bin/env node
// The package's `oriole` command. Oriole runs its TypeScript sources through tsx's
// loader, so a clone needs no build step.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../src/entry/cli.ts');
await runCli(process.argv, process.env);
