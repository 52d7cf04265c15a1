import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../core/index.ts';
import { loadIngestModels, openNode } from './compose.ts';
import { runIngest } from './ingest-command.ts';
import { startServer, type RunningServer } from './server.ts';

/** The sample help center shipped with the project (articles written for it, English and Chinese). */
export const sampleHelpCenter = path.resolve(import.meta.dirname, '../../examples/help-center');

/**
 * `npm run demo`: ingests the sample help center into the configured store (the
 * embedded one by default) and serves the API, then prints requests to try. Runs
 * offline: without the embedding model it says so and searches by keywords.
 */
export async function runDemo(config: Config, logger: Logger): Promise<RunningServer> {
  const progress = demoProgress();
  progress.step('opening the database and loading the embedding model');
  const node = await openNode(config, logger, loadIngestModels);
  try {
    progress.step('ingesting the sample help center');
    await runIngest(node, {
      targets: [sampleHelpCenter],
      kb: config.defaultKb,
      prune: true,
      tags: {},
      verbose: false,
    });
  } finally {
    // PGlite allows one process per data directory: the server opens it again.
    await node.close();
  }
  progress.step('starting the server');
  const server = await startServer(config, logger);
  progress.done();
  const kb = config.defaultKb === 'default' ? '' : `, "kb": "${config.defaultKb}"`;
  console.log(
    [
      '',
      `Oriole is serving the sample help center on ${server.url} (Ctrl-C stops it).`,
      '',
      `  Chat:    ${server.url}/`,
      `  Console: ${server.url}/admin`,
      `  Widget:  <script src="${server.url}/widget.js" data-kb="${config.defaultKb}" async></script>`,
      '',
      'Or from a terminal:',
      '',
      `  curl -s ${server.url}/answer -H 'Content-Type: application/json' -d '{"question": "How do I reset my password?"${kb}}'`,
      `  curl -s ${server.url}/answer -H 'Content-Type: application/json' -d '{"question": "如何重置密码？"${kb}}'`,
      `  curl -N ${server.url}/answer -H 'Content-Type: application/json' -d '{"question": "Can I get a refund on an annual plan?", "stream": true${kb}}'`,
      '',
      `API reference: ${server.url}/openapi.json`,
    ].join('\n'),
  );
  return server;
}

/**
 * A line on stderr for each start-up step, and every few seconds while one lasts, so a
 * first start that downloads a model never looks hung.
 */
function demoProgress(): { step(what: string): void; done(): void } {
  const started = performance.now();
  const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;
  let current = '';
  const timer = setInterval(() => process.stderr.write(`demo: still ${current} (${elapsed()})\n`), demoProgressIntervalMs);
  timer.unref();
  return {
    step(what) {
      current = what;
      process.stderr.write(`demo: ${what} (${elapsed()})\n`);
    },
    done() {
      clearInterval(timer);
      process.stderr.write(`demo: ready in ${elapsed()}\n`);
    },
  };
}

/** How often a long start-up step says it is still running. */
const demoProgressIntervalMs = 3_000;
