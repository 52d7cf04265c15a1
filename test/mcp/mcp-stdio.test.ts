import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliTargets, oriole } from '../helpers/cli.ts';

/**
 * `oriole mcp` as a desktop client starts it (docs/mcp.md): the real binary in a child
 * process, on a KB the CLI ingested, driven by the SDK's stdio client; and stdout read
 * raw, line by line, to hold it to carrying nothing but the protocol.
 */

const binary = path.resolve('bin/oriole.js');
const text = (result: CallToolResult) => result.content.map((block) => (block.type === 'text' ? block.text : '')).join('\n');

describe.each(cliTargets('oriole_mcp_stdio'))('oriole mcp on stdio ($name)', (target) => {
  let environment: Record<string, string>;
  let otherFolder: string;

  beforeAll(async () => {
    environment = { ...(await target.setUp()), ORIOLE_EMBEDDER: 'none' };
    otherFolder = await mkdtemp(path.join(tmpdir(), 'oriole-mcp-other-'));
    await writeFile(path.join(otherFolder, 'vault.md'), '# Vault\n\nThe vault combination is kept in the other knowledge base only.\n');
    for (const [folder, kb] of [['test/fixtures/help-docs', 'help'], [otherFolder, 'other']] as const) {
      const ingested = await oriole(['ingest', folder, '--kb', kb], environment, 120_000);
      expect(ingested.code, ingested.stderr).toBe(0);
    }
  }, 300_000);

  afterAll(async () => {
    await target.tearDown();
    await rm(otherFolder, { recursive: true, force: true });
  });

  /** The SDK's stdio client on `oriole mcp args…`, with the server's stderr collected. */
  async function connect(args: string[]): Promise<{ client: Client; stderr: () => string; transportErrors: Error[] }> {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [binary, 'mcp', ...args],
      env: { ...environment, ORIOLE_LOG_LEVEL: 'info' },
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (data: Buffer) => (stderr += data.toString()));
    const client = new Client({ name: 'oriole-test', version: '1.0.0' });
    const transportErrors: Error[] = [];
    client.onerror = (error) => transportErrors.push(error);
    await client.connect(transport);
    return { client, stderr: () => stderr, transportErrors };
  }

  it('gives an agent cited answers from the KB named by --kb, and reaches no other', async () => {
    const { client, stderr, transportErrors } = await connect(['--kb', 'help']);
    try {
      expect((await client.listTools()).tools.map((tool) => tool.name).sort()).toEqual([
        'answer_question',
        'get_document',
        'list_knowledge_bases',
        'search_knowledge_base',
      ]);
      const answer = (await client.callTool({ name: 'answer_question', arguments: { question: 'How do I get a refund?' } })) as CallToolResult;
      const structured = answer.structuredContent as { abstained: boolean; citations: { source: string; url: string }[] };
      expect(structured.abstained).toBe(false);
      expect(structured.citations[0]).toMatchObject({ source: 'billing/refunds.html', url: expect.stringContaining('https://help.wrenchat.example/billing/refunds') });
      expect(text(answer)).toMatch(/\[1\][\s\S]*Sources:\n\[1\] /);

      const search = (await client.callTool({ name: 'search_knowledge_base', arguments: { query: 'reset password' } })) as CallToolResult;
      expect((search.structuredContent as { results: unknown[] }).results.length).toBeGreaterThan(0);
      const document = (await client.callTool({ name: 'get_document', arguments: { source: 'getting-started.md' } })) as CallToolResult;
      expect((document.structuredContent as { markdown: string }).markdown).toContain('# Welcome to Wren Chat');

      const listed = (await client.callTool({ name: 'list_knowledge_bases', arguments: {} })) as CallToolResult;
      expect((listed.structuredContent as { knowledgeBases: { name: string }[] }).knowledgeBases.map((kb) => kb.name)).toEqual(['help']);
      const refused = (await client.callTool({ name: 'search_knowledge_base', arguments: { query: 'vault', kb: 'other' } })) as CallToolResult;
      expect(refused.isError).toBe(true);
      expect(text(refused)).toMatch(/^forbidden: .*'help'/);
      const bad = (await client.callTool({ name: 'answer_question', arguments: { question: 42 } })) as CallToolResult;
      expect(bad.isError).toBe(true);
      expect(text(bad)).toMatch(/question/);
      // Still answering after the errors.
      expect((await client.listResources()).resources.every((resource) => resource.uri.startsWith('oriole://kb/help/'))).toBe(true);
    } finally {
      await client.close();
    }
    // Nothing but protocol reached the client's reader; the logs went to stderr.
    expect(transportErrors).toEqual([]);
    expect(stderr()).toContain('Oriole MCP server ready on stdio');
  }, 120_000);

  it('without --kb serves every KB', async () => {
    const { client } = await connect([]);
    try {
      const listed = (await client.callTool({ name: 'list_knowledge_bases', arguments: {} })) as CallToolResult;
      expect((listed.structuredContent as { knowledgeBases: { name: string }[] }).knowledgeBases.map((kb) => kb.name)).toEqual(['help', 'other']);
      const vault = (await client.callTool({ name: 'get_document', arguments: { source: 'vault.md', kb: 'other' } })) as CallToolResult;
      expect((vault.structuredContent as { markdown: string }).markdown).toContain('The vault combination is kept');
    } finally {
      await client.close();
    }
  }, 120_000);

  it('writes nothing but JSON-RPC messages to stdout, logs to stderr, and exits 0 when stdin ends', async () => {
    const { DATABASE_URL: _ignored, ...inherited } = process.env;
    const child = spawn(process.execPath, [binary, 'mcp', '--kb', 'help'], {
      env: { ...inherited, ...environment, ORIOLE_LOG_LEVEL: 'debug' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    let stderr = '';
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const reader = createInterface({ input: child.stdout });
    const waiting = new Map<number, (line: unknown) => void>();
    reader.on('line', (line) => {
      lines.push(line);
      const message = JSON.parse(line) as { id?: number };
      if (message.id !== undefined) waiting.get(message.id)?.(message);
    });
    const send = (message: Record<string, unknown>) => child.stdin.write(`${JSON.stringify(message)}\n`);
    const request = (id: number, method: string, params: Record<string, unknown> = {}) =>
      new Promise<{ result?: CallToolResult & Record<string, unknown>; error?: { code: number } }>((resolve) => {
        waiting.set(id, resolve as (line: unknown) => void);
        send({ jsonrpc: '2.0', id, method, params });
      });

    const initialized = await request(1, 'initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } });
    expect(initialized.result?.serverInfo).toMatchObject({ name: 'oriole' });
    send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    expect((await request(2, 'tools/call', { name: 'answer_question', arguments: { question: 'How long do refunds take?' } })).result?.isError).toBeFalsy();
    expect((await request(3, 'tools/call', { name: 'get_document', arguments: { documentId: 'nope' } })).result?.isError).toBe(true);
    expect((await request(4, 'no/such/method')).error?.code).toBe(-32601);
    // Not JSON at all: the server says so on stderr and keeps reading.
    child.stdin.write('this is not json\n');
    expect((await request(5, 'tools/list')).result?.tools).toHaveLength(4);
    child.stdin.end();

    expect(await exited).toBe(0);
    expect(lines).toHaveLength(5);
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ jsonrpc: '2.0' });
    expect(stderr).toContain('Oriole MCP server ready on stdio');
    expect(stderr).toContain('MCP server stopping');
  }, 120_000);

  it('refuses a KB that does not exist, on stderr, with stdout left empty', async () => {
    const result = await oriole(['mcp', '--kb', 'nope'], environment);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/oriole: .*nope/);
  }, 120_000);
});

describe('stdout of oriole mcp', () => {
  it('sends what else writes to stdout (a dependency\'s console.log) to stderr, so the protocol stream stays clean', async () => {
    const folder = await mkdtemp(path.join(tmpdir(), 'oriole-mcp-stdout-'));
    const script = path.join(folder, 'noisy.ts');
    await writeFile(
      script,
      [
        `import { reserveStdoutForProtocol } from ${JSON.stringify(path.resolve('src/entry/protocol-stdout.ts'))};`,
        'const protocol = reserveStdoutForProtocol();',
        "console.log('a banner from a model loader');",
        "process.stdout.write('progress 50%\\n');",
        `protocol.write('{"jsonrpc":"2.0","id":1,"result":{}}\\n');`,
      ].join('\n'),
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (data: Buffer) => (stdout += data.toString()));
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    expect(await new Promise((resolve) => child.once('exit', resolve))).toBe(0);
    expect(stdout).toBe('{"jsonrpc":"2.0","id":1,"result":{}}\n');
    expect(stderr).toContain('a banner from a model loader');
    expect(stderr).toContain('progress 50%');
    await rm(folder, { recursive: true, force: true });
  }, 60_000);
});
