import { Command, InvalidArgumentError } from 'commander';
import { loadConfig, OrioleError, type Config } from '../core/index.ts';
import { createKnowledgeBase, deleteKnowledgeBase, listKnowledgeBases } from '../db/index.ts';
import type { NodeComposition } from './compose.ts';
import type * as SourcesCommandModule from './sources-command.ts';
import { createLogger, openMigratedDatabase, withStorage, type StorageNode } from './node.ts';

/**
 * `oriole`: the command-line interface (docs/cli.md). Every command gets its parts
 * from the Node composition root: storage-only commands from its light half (node.ts),
 * the others from compose.ts, imported when the command runs, with only the models they
 * use loaded, so `--help` and `kb list` start fast.
 */

export function buildProgram(environment: Record<string, string | undefined>): Command {
  const program = new Command('oriole')
    .description('Grounded answers with citations over your help docs.')
    .version('0.1.0')
    .showHelpAfterError()
    // Lets a subcommand share an option name with its parent (`eval --kb`, `eval generate --kb`).
    .enablePositionalOptions()
    .configureOutput({ outputError: (text, write) => write(text) });

  const config = (): Config => loadConfig(environment);
  const withNode: WithNode = async (work, loaded = config()) => {
    const compose = await import('./compose.ts');
    return compose.withNode(loaded, createLogger({ logLevel: 'warn' }), work);
  };
  const withDatabase: WithStorage = (work) => withStorage(config(), createLogger({ logLevel: 'warn' }), work);

  program
    .command('serve')
    .description('start the HTTP API')
    .option('--port <port>', 'port to listen on (PORT)', parsePort)
    .option('--host <host>', 'address to bind (HOST)')
    .option('--allow-unauthenticated', 'serve beyond this machine with no API key (ORIOLE_ALLOW_UNAUTHENTICATED)')
    .action(async (options: { port?: number; host?: string; allowUnauthenticated?: boolean }) => {
      const loaded = config();
      const serverConfig = {
        ...loaded,
        server: { port: options.port ?? loaded.server.port, host: options.host ?? loaded.server.host },
        allowUnauthenticated: Boolean(options.allowUnauthenticated) || loaded.allowUnauthenticated,
      };
      const logger = createLogger(loaded, { buffered: true });
      const { startServer } = await import('./server.ts');
      const server = await startServer(serverConfig, logger);
      console.log(`Oriole is listening on ${server.url}`);
      const stop = (signal: string) => {
        logger.info({ signal }, 'shutting down');
        server.close().then(
          () => process.exit(0),
          (error: unknown) => {
            logger.error({ err: error }, 'shutdown failed');
            process.exit(1);
          },
        );
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });

  program
    .command('demo')
    .description('ingest the bundled sample help center and serve the API (npm run demo)')
    .option('--port <port>', 'port to listen on (PORT)', parsePort)
    .action(async (options: { port?: number }) => {
      const loaded = config();
      const demoConfig = { ...loaded, server: { ...loaded.server, port: options.port ?? loaded.server.port } };
      const logger = createLogger({ logLevel: loaded.logLevel === 'info' ? 'warn' : loaded.logLevel });
      const { runDemo } = await import('./demo.ts');
      const server = await runDemo(demoConfig, logger);
      const stop = () => server.close().then(() => process.exit(0), () => process.exit(1));
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    });

  program
    .command('migrate')
    .description('apply database migrations')
    .action(async () => {
      const loaded = config();
      const { database, migrations } = await openMigratedDatabase(loaded);
      await database.close();
      console.log(
        migrations.applied.length > 0
          ? `Applied ${migrations.applied.length} migration(s): ${migrations.applied.join(', ')}`
          : `Schema is up to date (${migrations.current} migration(s) applied earlier).`,
      );
    });

  program
    .command('export')
    .description('write the whole database (knowledge bases, documents, vectors, keys, history) to a JSON Lines file')
    .argument('<file>', 'FILE.jsonl')
    .action(async (file: string) => {
      const { runExport } = await import('./transfer-command.ts');
      await withDatabase((node) => runExport(node.database, file, (text) => console.log(text)));
    });
  program
    .command('import')
    .description('read an export into this database, which must be empty (PGlite to PostgreSQL: docs/scaling.md)')
    .argument('<file>', 'FILE.jsonl made by oriole export')
    .action(async (file: string) => {
      const { runImport } = await import('./transfer-command.ts');
      await withDatabase((node) => runImport(node.database, file, (text) => console.log(text)));
    });

  const kb = program.command('kb').description('manage knowledge bases');
  kb.command('list')
    .description('list knowledge bases')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const kbs = await withDatabase((node) => listKnowledgeBases(node.database));
      if (options.json) {
        console.log(JSON.stringify(kbs, null, 2));
        return;
      }
      if (kbs.length === 0) {
        console.log('No knowledge bases yet. `oriole ingest <folder>` creates one.');
        return;
      }
      console.table(
        kbs.map((item) => ({
          name: item.name,
          documents: item.documentCount,
          chunks: item.chunkCount,
          embedder: item.embedder,
          version: item.version,
        })),
      );
    });
  kb.command('create')
    .description('create an empty knowledge base')
    .argument('<name>', 'knowledge-base name')
    .option('--embedder <spec>', 'embedder spec (default: ORIOLE_EMBEDDER)')
    .action(async (name: string, options: { embedder?: string }) => {
      await withDatabase((node) => createKnowledgeBase(node.database, { name, embedder: options.embedder ?? node.config.embedder.spec }));
      console.log(`Created knowledge base '${name}'.`);
    });
  kb.command('settings')
    .description("print a knowledge base's answer settings, changing them first with --set / --unset (docs/kb-settings.md)")
    .argument('<name>', 'knowledge-base name')
    .option('--set <key=value>', 'set a field; the value is JSON or text: topK=4, \'handoff={"url":"https://…"}\', answerLanguage=zh (repeatable)', collect, [])
    .option('--unset <key>', 'remove a field, back to the default (repeatable; same as --set key=null)', collect, [])
    .action(async (name: string, options: { set: string[]; unset: string[] }) => {
      const { runKbSettings } = await import('./kb-settings-command.ts');
      await withDatabase((node) => runKbSettings(node.database, name, options, (text) => console.log(text)));
    });
  kb.command('delete')
    .description('delete a knowledge base with all its documents, answers and keys')
    .argument('<name>', 'knowledge-base name')
    .action(async (name: string) => {
      await withDatabase((node) => deleteKnowledgeBase(node.database, name));
      console.log(`Deleted knowledge base '${name}'.`);
    });

  program
    .command('ingest')
    .description('load files (recursively) and URLs into a knowledge base; exit code 1 if any failed')
    .argument('<paths-or-urls...>')
    .option('--kb <name>', 'knowledge base (created when missing)')
    .option('--prune', "delete the KB's documents this run did not see")
    .option('--tag <key=value>', 'tag every document (repeatable)', collectTags, {})
    .option('--verbose', 'print one line per document')
    .action(async (targets: string[], options: { kb?: string; prune?: boolean; tag: Record<string, string>; verbose?: boolean }) => {
      const loaded = config();
      const logger = createLogger({ logLevel: loaded.logLevel === 'info' ? 'warn' : loaded.logLevel });
      const { openNode, loadIngestModels } = await import('./compose.ts');
      const node = await openNode(loaded, logger, loadIngestModels);
      try {
        const { runIngest } = await import('./ingest-command.ts');
        const summary = await runIngest(node, {
          targets,
          kb: options.kb ?? loaded.defaultKb,
          prune: Boolean(options.prune),
          tags: options.tag,
          verbose: Boolean(options.verbose),
        });
        if (summary.failed > 0) process.exitCode = 1;
      } finally {
        await node.close();
      }
    });

  program
    .command('worker')
    .description('process queued ingestion (POST /documents: uploads and crawls) and eval (POST /evals) jobs until stopped')
    .action(async () => {
      const loaded = config();
      const logger = createLogger(loaded);
      const { openNode, loadNodeModels } = await import('./compose.ts');
      const { loadConfiguredJudge } = await import('./judge.ts');
      // First: a bad ORIOLE_JUDGE stops start-up before anything is opened or loaded.
      const judge = await loadConfiguredJudge(loaded);
      const node = await openNode(loaded, logger, loadNodeModels, { judge });
      const { runWorker } = await import('./ingest-command.ts');
      runWorker(node);
      const shutdown = (signal: string) => {
        logger.info({ signal }, 'finishing the current document, then stopping');
        // Stops the workers (each hands the rest of its job back), then closes the database.
        node.close().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.once('SIGTERM', () => shutdown('SIGTERM'));
      process.once('SIGINT', () => shutdown('SIGINT'));
    });

  program
    .command('reindex')
    .description('embed chunks that lack vectors, or re-embed a KB with another embedder')
    .option('--kb <name>', 'knowledge base')
    .option('--embedder <spec>', 'switch the KB to this embedder and re-embed everything')
    .action(async (options: { kb?: string; embedder?: string }) => {
      const loaded = config();
      const spec = options.embedder ?? loaded.embedder.spec;
      await withNode(async (node) => {
        const { runReindex } = await import('./ingest-command.ts');
        const result = await runReindex(node, options.kb ?? loaded.defaultKb);
        console.log(
          `${result.switchedFrom ? `Switched '${options.kb ?? loaded.defaultKb}' from ${result.switchedFrom} to ${spec}; ` : ''}` +
            `embedded ${result.embedded} chunk(s).`,
        );
      }, { ...loaded, embedder: { ...loaded.embedder, spec } });
    });

  program
    .command('ask')
    .description('answer a question with citations')
    .argument('<question>')
    .option('--kb <name>', 'knowledge base')
    .option('--json', 'print the /answer response body')
    .action(async (question: string, options: { kb?: string; json?: boolean }) => {
      // The database and the answer service only: no ingestion, eval or HTTP code is loaded.
      await withDatabase(async (node) => {
        const { runAsk } = await import('./query-commands.ts');
        await runAsk(node, { question, kb: options.kb ?? node.config.defaultKb, json: Boolean(options.json) });
      });
    });

  program
    .command('search')
    .description('print the top passages for a query with scores')
    .argument('<query>')
    .option('--kb <name>', 'knowledge base')
    .option('--k <n>', 'number of passages (1-50)', parseTopK, 5)
    .option('--json', 'print JSON: the /search response body')
    .action(async (query: string, options: { kb?: string; k: number; json?: boolean }) => {
      await withDatabase(async (node) => {
        const { runSearch } = await import('./query-commands.ts');
        await runSearch(node, { query, kb: options.kb ?? node.config.defaultKb, k: options.k, json: Boolean(options.json) });
      });
    });

  program
    .command('mcp')
    .description('serve the knowledge bases to an MCP client on stdin/stdout (docs/mcp.md); stdout carries the protocol only, logs go to stderr')
    .option('--kb <name>', 'serve this knowledge base only, as a key bound to it would')
    .action(async (options: { kb?: string }) => {
      // First, before anything else is imported or loaded: nothing but the protocol may reach stdout.
      const { reserveStdoutForProtocol } = await import('./protocol-stdout.ts');
      const protocolOut = reserveStdoutForProtocol();
      const { runMcpStdio } = await import('./mcp-command.ts');
      const loaded = config();
      await runMcpStdio(loaded, createLogger(loaded), options, protocolOut);
      // Stopped and closed: model threads or sockets left open must not keep the client's subprocess alive.
      process.exit(process.exitCode ?? 0);
    });

  program
    .command('report')
    .description('analytics for content teams: top and unanswered questions, answers rated down, documents never cited')
    .option('--kb <name>', 'knowledge base')
    .option('--days <n>', 'the last n days (1-366; default 30)', integerIn(1, 366))
    .option('--from <date>', 'start: ISO date or date-time with a zone (inclusive)')
    .option('--to <date>', 'end: ISO date (that whole day) or date-time (exclusive); default now')
    .option('--limit <n>', 'entries per list (1-100)', integerIn(1, 100), 20)
    .option('--json', 'print JSON: the GET /analytics/summary body')
    .action(async (options: { kb?: string; days?: number; from?: string; to?: string; limit: number; json?: boolean }) => {
      await withDatabase(async (node) => {
        const { runReport } = await import('./report-command.ts');
        await runReport(node.database, node.config, { ...options, json: Boolean(options.json) });
      });
    });

  program
    .command('calibrate')
    .description("fit the KB's minConfidence to an error budget on an eval set (split conformal risk control) and store it")
    .requiredOption('--cases <file.jsonl>', 'eval set: one JSON case a line (docs/evals.md)')
    .requiredOption('--max-wrong <share>', 'the most wrong answers among those given, as a share (0-1, exclusive), e.g. 0.05', shareIn('open'))
    .option('--kb <name>', 'knowledge base')
    .option('--confidence-level <share>', 'the probability that the bound holds (0-1, exclusive)', shareIn('open'), 0.9)
    .option('--remove-share <share>', 'share of the answerable cases with gold sources asked with those documents held out (0-1)', shareIn('closed'), 0)
    .option('--dry-run', 'fit and print, store nothing')
    .option('--seed <n>', 'seed of the answer-removed choice and the split', integerIn(0, 2 ** 32 - 1), 1)
    .action(
      async (options: { cases: string; maxWrong: number; kb?: string; confidenceLevel: number; removeShare: number; dryRun?: boolean; seed: number }) => {
        const outcome = await withNode(async (node) => {
          const { runCalibrate } = await import('./calibrate-command.ts');
          return runCalibrate(
            node,
            {
              kb: options.kb ?? node.config.defaultKb,
              casesFile: options.cases,
              maxWrong: options.maxWrong,
              confidenceLevel: options.confidenceLevel,
              removeShare: options.removeShare,
              dryRun: Boolean(options.dryRun),
              seed: options.seed,
            },
            (text) => console.log(text),
          );
        });
        if (outcome.exitCode !== 0) process.exitCode = outcome.exitCode;
      },
    );

  addEvalCommands(program, withNode, withDatabase);
  addKeysCommands(program, withDatabase);
  addCuratedCommands(program, withDatabase);
  addSourcesCommands(program, config);
  return program;
}

type SourcesCommands = typeof SourcesCommandModule;

/** `oriole sources add|list|sync|remove|rekey` (docs/sources.md). */
function addSourcesCommands(program: Command, config: () => Config): void {
  const output = { out: (text: string) => console.log(text), err: (text: string) => console.error(text) };
  // Syncing embeds, so these commands load the embedder as `oriole ingest` does.
  const withIngestNode = async <T>(work: (node: NodeComposition) => Promise<T>): Promise<T> => {
    const loaded = config();
    const { openNode, loadIngestModels } = await import('./compose.ts');
    const node = await openNode(loaded, createLogger({ logLevel: loaded.logLevel === 'info' ? 'warn' : loaded.logLevel }), loadIngestModels);
    try {
      return await work(node);
    } finally {
      await node.close();
    }
  };
  const withSourcesNode = async <T>(work: (node: NodeComposition, commands: SourcesCommands) => Promise<T>) => {
    const commands = await import('./sources-command.ts');
    return withIngestNode((node) => work(node, commands));
  };
  const sources = program.command('sources').description('help centers, repositories and sites a knowledge base stays in sync with');
  sources
    .command('add')
    .description('add a source and run its first sync (exit 1 if it did not fully succeed)')
    .argument('<type>', 'web | zendesk | intercom | confluence | github')
    .argument('<name>', 'a name for the source, unique in the knowledge base')
    .option('--kb <name>', 'knowledge base')
    .option('--config <json>', 'the config as a JSON object')
    .option('--set <key=value>', 'one config field; JSON or text: url=https://acme.zendesk.com, maxPages=500 (repeatable)', collect, [])
    .option('--schedule <when>', 'sync every interval ("6h", "30m", "1d") or at a cron expression in UTC ("0 3 * * *")')
    .option('--no-sync', 'only queue the first sync, for a running server or worker to take')
    .action(async (type: string, name: string, options: { kb?: string; config?: string; set: string[]; schedule?: string; sync: boolean }) => {
      const code = await withSourcesNode((node, { runSourcesAdd }) =>
        runSourcesAdd(node, { ...options, kb: options.kb ?? node.config.defaultKb, type, name, config: options.config }, output),
      );
      if (code !== 0) process.exitCode = code;
    });
  sources
    .command('list')
    .description("a knowledge base's sources with their last run, next run and last error")
    .option('--kb <name>', 'knowledge base')
    .option('--json', 'print JSON: the GET /kbs/:name/sources body')
    .action(async (options: { kb?: string; json?: boolean }) => {
      await withSourcesNode((node, { runSourcesList }) =>
        runSourcesList(node, { kb: options.kb ?? node.config.defaultKb, json: Boolean(options.json) }, output),
      );
    });
  sources
    .command('sync')
    .description('sync a source now and wait for it (exit 1 if it did not fully succeed)')
    .argument('<source>', 'source name or id')
    .option('--kb <name>', 'knowledge base')
    .option('--full', 'list everything, not only what changed (finds deletions at once)')
    .action(async (source: string, options: { kb?: string; full?: boolean }) => {
      const code = await withSourcesNode((node, { runSourcesSync }) =>
        runSourcesSync(node, { kb: options.kb ?? node.config.defaultKb, source, full: Boolean(options.full) }, output),
      );
      if (code !== 0) process.exitCode = code;
    });
  sources
    .command('remove')
    .description('remove a source and the documents it brought in')
    .argument('<source>', 'source name or id')
    .option('--kb <name>', 'knowledge base')
    .action(async (source: string, options: { kb?: string }) => {
      await withSourcesNode((node, { runSourcesRemove }) => runSourcesRemove(node, { kb: options.kb ?? node.config.defaultKb, source }, output));
    });
  sources
    .command('rekey')
    .description("re-seal every source's credentials with the first key of ORIOLE_SECRET_KEY (key rotation)")
    .action(async () => {
      await withSourcesNode((node, { runSourcesRekey }) => runSourcesRekey(node, output));
    });
}

/** `oriole curated import|export` (docs/curated-answers.md). */
function addCuratedCommands(program: Command, withDatabase: WithStorage): void {
  const output = { out: (text: string) => console.log(text), err: (text: string) => console.error(text) };
  const curated = program.command('curated').description('curated answers: import a FAQ, export them');
  curated
    .command('import')
    .description('add curated answers from a JSONL file (the API shape) or a CSV file (question,answer; rows with the same answer are grouped)')
    .argument('<file>', 'FILE.jsonl or FILE.csv')
    .option('--kb <name>', 'knowledge base')
    .option('--dry-run', 'print what would be added and the conflicts, write nothing')
    .action(async (file: string, options: { kb?: string; dryRun?: boolean }) => {
      const { runCuratedImport } = await import('./curated-command.ts');
      await withDatabase((node) =>
        runCuratedImport(node.database, file, { kb: options.kb ?? node.config.defaultKb, dryRun: Boolean(options.dryRun) }, output),
      );
    });
  curated
    .command('export')
    .description("write a KB's curated answers to a JSONL file (the API shape) or a CSV file (question,answer, one row a phrasing)")
    .argument('<file>', 'FILE.jsonl or FILE.csv')
    .option('--kb <name>', 'knowledge base')
    .action(async (file: string, options: { kb?: string }) => {
      const { runCuratedExport } = await import('./curated-command.ts');
      await withDatabase((node) => runCuratedExport(node.database, file, { kb: options.kb ?? node.config.defaultKb }, output));
    });
}

/** `oriole keys create|list|revoke` (docs/auth.md). */
function addKeysCommands(program: Command, withDatabase: WithStorage): void {
  const output = { out: (text: string) => console.log(text), err: (text: string) => console.error(text) };
  const keys = program.command('keys').description('manage API keys (stored hashed; a key is shown once, at creation)');
  keys
    .command('create')
    .description('print a new API key once')
    .requiredOption('--scope <scope>', 'query | ingest | admin')
    .option('--kb <name>', 'bind the key to one knowledge base')
    .option('--name <label>', 'a label to tell keys apart')
    .option('--origin <origin>', 'accept the key only from this browser origin, e.g. https://help.example.com (repeatable; a widget key)', collect, [])
    .option('--rate-per-minute <n>', "the key's own rate limit, requests a minute", integerIn(1, 1_000_000))
    .action(async (options: { scope: string; kb?: string; name?: string; origin: string[]; ratePerMinute?: number }) => {
      const { runKeysCreate } = await import('./keys-command.ts');
      await withDatabase((node) => runKeysCreate(node.database, options, output));
    });
  keys
    .command('list')
    .description('list keys: id, name, prefix, scope, kb, origins, rate, created, last used, revoked')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const { runKeysList } = await import('./keys-command.ts');
      await withDatabase((node) => runKeysList(node.database, { json: Boolean(options.json) }, output));
    });
  keys
    .command('revoke')
    .description('revoke a key at once')
    .argument('<id-or-prefix>', "the key's id, or its prefix as `keys list` shows it")
    .action(async (idOrPrefix: string) => {
      const { runKeysRevoke } = await import('./keys-command.ts');
      await withDatabase((node) => runKeysRevoke(node.database, idOrPrefix, output));
    });
}

/** Runs `work` on a composition over the configured database (`config` overrides it), closed after. */
type WithNode = <T>(work: (node: NodeComposition) => Promise<T>, config?: Config) => Promise<T>;
/** Runs `work` on the configured database alone (no wiring imported), closed after. */
type WithStorage = <T>(work: (node: StorageNode) => Promise<T>) => Promise<T>;

/** `oriole eval <cases.jsonl>` and `oriole eval generate` (docs/cli.md). */
function addEvalCommands(program: Command, withNode: WithNode, withDatabase: WithStorage): void {
  const evalCommand = program
    .command('eval')
    .description('run an eval set through the answer service; write report.json, report.md and report.html')
    .argument('<cases.jsonl>', 'eval set: one JSON case a line (docs/evals.md)')
    .option('--kb <name>', 'knowledge base')
    .option('--k <n>', 'passages per answer, and the k of retrieval metrics (1-20)', integerIn(1, 20), 5)
    .option('--out <dir>', 'report directory (default eval-reports/<kb>-<time>)')
    .option('--baseline <report.json>', 'compare with an earlier run: metric deltas, cases regressed and fixed')
    .option('--fail-under <metric=value>', 'exit 1 when the metric is below the bound (repeatable)', collect, [])
    .option('--concurrency <n>', 'cases answered at once (1-16)', integerIn(1, 16), 2)
    // `eval generate --kb X`: options after the subcommand's name are the subcommand's own.
    .enablePositionalOptions()
    .action(
      async (
        casesFile: string,
        options: { kb?: string; k: number; out?: string; baseline?: string; failUnder: string[]; concurrency: number },
      ) => {
        const outcome = await withNode(async (node) => {
          const { runEvalCommand } = await import('./eval-command.ts');
          return runEvalCommand(node, { ...options, casesFile, kb: options.kb ?? node.config.defaultKb });
        });
        if (outcome.exitCode !== 0) process.exitCode = outcome.exitCode;
      },
    );
  evalCommand
    .command('generate')
    .description('draft eval cases (question, reference answer, gold source) from a KB with the configured LLM, for review')
    .option('--kb <name>', 'knowledge base')
    .option('--n <count>', 'cases to draft (1-1000)', integerIn(1, 1000), 50)
    .option('--out <file>', 'JSONL file to write (default: stdout)')
    .action(async (options: { kb?: string; n: number; out?: string }) => {
      const result = await withDatabase(async (node) => {
        const { runEvalGenerate } = await import('./eval-generate-command.ts');
        return runEvalGenerate(node.database, node.config, { kb: options.kb ?? node.config.defaultKb, n: options.n, ...(options.out ? { out: options.out } : {}) });
      });
      if (result.out) console.error(`Wrote ${result.cases} draft case(s) to ${result.out}; review them before use.`);
    });
}

function integerIn(min: number, max: number): (value: string) => number {
  return (value) => {
    const number = Number(value);
    if (!Number.isInteger(number) || number < min || number > max) throw new InvalidArgumentError(`expected an integer from ${min} to ${max}`);
    return number;
  };
}

/** A share: within (0, 1) when `open`, within [0, 1] when `closed`. */
function shareIn(bounds: 'open' | 'closed'): (value: string) => number {
  return (value) => {
    const share = Number(value);
    const within = bounds === 'open' ? share > 0 && share < 1 : share >= 0 && share <= 1;
    if (value.trim() === '' || !Number.isFinite(share) || !within) {
      throw new InvalidArgumentError(bounds === 'open' ? 'expected a number between 0 and 1, both excluded' : 'expected a number from 0 to 1');
    }
    return share;
  };
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function parseTopK(value: string): number {
  const k = Number(value);
  if (!Number.isInteger(k) || k < 1 || k > 50) throw new InvalidArgumentError('expected an integer from 1 to 50');
  return k;
}

function collectTags(value: string, previous: Record<string, string>): Record<string, string> {
  const match = /^([^=\s]{1,64})=(.{0,256})$/.exec(value);
  if (!match) throw new InvalidArgumentError('expected key=value');
  return { ...previous, [match[1]!]: match[2]! };
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new InvalidArgumentError('expected a port from 1 to 65535');
  return port;
}

export async function runCli(argv: string[], environment: Record<string, string | undefined>): Promise<void> {
  try {
    await buildProgram(environment).parseAsync(argv);
  } catch (error) {
    if (error instanceof OrioleError) {
      console.error(`oriole: ${error.message}`);
      process.exitCode = error.code === 'invalid_request' || error.code === 'config_invalid' ? 2 : 1;
      return;
    }
    console.error(error);
    process.exitCode = 1;
  }
}
