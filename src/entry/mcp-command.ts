import type { Writable } from 'node:stream';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Logger } from 'pino';
import type { AnswerService } from '../answer/index.ts';
import type { KbBinding } from '../api/index.ts';
import type { Config } from '../core/index.ts';
import { getKnowledgeBase } from '../db/index.ts';
import { createMcpServer } from '../mcp/index.ts';
import { loadNodeModels, mcpServices, noModels, openNode } from './compose.ts';

/**
 * `oriole mcp [--kb NAME]`: the MCP server on stdin and stdout, for a desktop client or
 * an agent that starts it as a subprocess (docs/mcp.md). With --kb it serves that KB
 * only, as a key bound to it would over HTTP; without, every KB (it runs with the
 * operator's own access to the database). It stops when stdin ends or on SIGTERM/SIGINT.
 */
export async function runMcpStdio(config: Config, logger: Logger, options: { kb?: string }, protocolOut: Writable): Promise<void> {
  // With --kb, the KB's own embedder (as `oriole ask` loads it); without, the server's models.
  const node = await openNode(config, logger, options.kb ? async () => noModels : loadNodeModels);
  try {
    let caller: KbBinding = { kbId: null, kbName: null };
    let answers: AnswerService;
    if (options.kb) {
      const kb = await getKnowledgeBase(node.database, options.kb);
      caller = { kbId: kb.id, kbName: kb.name };
      answers = await node.answersForKb(kb.name);
    } else {
      answers = node.answers();
    }
    const server = createMcpServer(mcpServices(node, answers), { caller });
    const transport = new StdioServerTransport(process.stdin, protocolOut);
    transport.onerror = (error) => logger.warn({ err: error }, 'MCP stdio: a message could not be read');
    await server.connect(transport);
    logger.info({ kb: caller.kbName, backend: node.database.backend }, 'Oriole MCP server ready on stdio');
    logger.info({ reason: await stopSignal() }, 'MCP server stopping');
    await server.close();
  } finally {
    await node.close();
  }
}

/** Resolves with why the server should stop: the client closed stdin (its way to stop a stdio server), or a signal. */
function stopSignal(): Promise<string> {
  return new Promise((resolve) => {
    const stop = (reason: string) => () => {
      process.stdin.off('end', onEnd);
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
      resolve(reason);
    };
    const [onEnd, onTerm, onInt] = [stop('stdin ended'), stop('SIGTERM'), stop('SIGINT')];
    process.stdin.once('end', onEnd);
    process.once('SIGTERM', onTerm);
    process.once('SIGINT', onInt);
  });
}
