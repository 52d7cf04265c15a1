import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ErrorCode, McpError, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, getKnowledgeBase, listDocumentChunks, listDocuments, type Database } from '../../src/db/index.ts';
import { createTestApp } from '../helpers/app.ts';
import { openMigrated, testBackends } from '../helpers/databases.ts';
import { ingestFolder } from '../helpers/ingestion.ts';
import { listenOnLoopback } from '../helpers/network.ts';

/**
 * POST /mcp with the SDK's own client over real HTTP (docs/mcp.md): the four tools and
 * the document resources, the API keys' scopes and KB binding, and errors that reach the
 * client as MCP errors while the server keeps answering.
 */

const adminKey = 'test-admin-key-mcp-0123456789';

/** One paragraph of numbered sentences: long enough to span several chunks, which repeat sentences (the overlap). */
const shippingSentences = Array.from(
  { length: 48 },
  (_, index) => `Parcels bound for zone ${index + 1} leave the depot on weekday ${(index % 5) + 1} and arrive within ${index + 2} days.`,
);

const text = (result: CallToolResult) => result.content.map((block) => (block.type === 'text' ? block.text : '')).join('\n');

describe.each(testBackends())('the MCP server over HTTP on $name', (backend) => {
  let database: Database;
  let url: string;
  let close: () => Promise<void>;
  let folder: string;
  const keys = { helpQuery: '', anyQuery: '', helpIngest: '' };
  let otherDocumentId = '';
  const clients: Client[] = [];

  /** The SDK's client on /mcp with this key (none: no Authorization header). */
  async function connect(key: string | null): Promise<Client> {
    const client = new Client({ name: 'oriole-test', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL('/mcp', url), {
      ...(key ? { requestInit: { headers: { Authorization: `Bearer ${key}` } } } : {}),
    });
    await client.connect(transport);
    clients.push(client);
    return client;
  }

  const call = async (client: Client, name: string, args: Record<string, unknown>) => (await client.callTool({ name, arguments: args })) as CallToolResult;

  beforeAll(async () => {
    database = await openMigrated(backend);
    folder = await mkdtemp(path.join(tmpdir(), 'oriole-mcp-'));
    await mkdir(path.join(folder, 'help', 'guide'), { recursive: true });
    await mkdir(path.join(folder, 'other'), { recursive: true });
    await writeFile(path.join(folder, 'help', 'guide', 'shipping times.md'), `# Shipping times\n\n## Zones\n\n${shippingSentences.join(' ')}\n`);
    await writeFile(path.join(folder, 'other', 'vault.md'), '# Vault\n\nThe vault combination is kept in the other knowledge base only.\n');
    await ingestFolder(database, 'test/fixtures/help-docs', 'help');
    await ingestFolder(database, path.join(folder, 'help'), 'help');
    await ingestFolder(database, path.join(folder, 'other'), 'other');
    const help = await getKnowledgeBase(database, 'help');
    const other = await getKnowledgeBase(database, 'other');
    otherDocumentId = (await listDocuments(database, { kbId: other.id, limit: 10 })).documents[0]!.id;
    keys.helpQuery = (await createApiKey(database, { scope: 'query', kbId: help.id, name: 'mcp bound' })).key;
    keys.anyQuery = (await createApiKey(database, { scope: 'query', kbId: null, name: 'mcp unbound' })).key;
    keys.helpIngest = (await createApiKey(database, { scope: 'ingest', kbId: help.id, name: 'mcp ingest' })).key;
    const { app } = createTestApp(database, { adminKey, worker: false });
    ({ url, close } = await listenOnLoopback(app));
  }, 120_000);

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await close?.();
    await database?.close();
    await backend.cleanup();
    await rm(folder, { recursive: true, force: true });
  });

  it('lists the four tools with their input schemas, and the document resource template', async () => {
    const client = await connect(keys.helpQuery);
    expect(client.getServerVersion()?.name).toBe('oriole');
    expect(client.getInstructions()).toContain('answer_question');
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(['answer_question', 'get_document', 'list_knowledge_bases', 'search_knowledge_base']);
    const byName = new Map(tools.map((tool) => [tool.name, tool]));
    const search = byName.get('search_knowledge_base')!;
    expect(search.inputSchema.required).toEqual(['query']);
    expect(Object.keys(search.inputSchema.properties ?? {}).sort()).toEqual(['filters', 'kb', 'query', 'topK']);
    expect(search.inputSchema.properties?.topK).toMatchObject({ type: 'integer', minimum: 1, maximum: 50 });
    expect(search.inputSchema.properties?.query).toMatchObject({ type: 'string', minLength: 1, maxLength: 4000 });
    expect(search.annotations?.readOnlyHint).toBe(true);
    const answer = byName.get('answer_question')!;
    expect(answer.inputSchema.required).toEqual(['question']);
    expect(Object.keys(answer.inputSchema.properties ?? {}).sort()).toEqual(['conversationId', 'kb', 'question']);
    expect(answer.outputSchema?.required).toEqual(expect.arrayContaining(['answer', 'abstained', 'citations', 'confidence']));
    const document = byName.get('get_document')!;
    expect(Object.keys(document.inputSchema.properties ?? {}).sort()).toEqual(['documentId', 'kb', 'source']);
    expect(byName.get('list_knowledge_bases')!.inputSchema.properties ?? {}).toEqual({});
    for (const tool of tools) expect(tool.description!.length, tool.name).toBeGreaterThan(80);

    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates).toEqual([expect.objectContaining({ uriTemplate: 'oriole://kb/{kb}/{+source}', mimeType: 'text/markdown' })]);
  });

  it('search_knowledge_base returns passages with source, title, URL, heading and text', async () => {
    const client = await connect(keys.helpQuery);
    const result = await call(client, 'search_knowledge_base', { query: 'refund annual plan', topK: 3 });
    expect(result.isError).toBeFalsy();
    const structured = result.structuredContent as { kb: string; results: { source: string; title: string; url: string | null; heading: string; text: string }[] };
    expect(structured.kb).toBe('help');
    expect(structured.results.length).toBeGreaterThan(0);
    expect(structured.results.length).toBeLessThanOrEqual(3);
    const refunds = structured.results.find((passage) => passage.source === 'billing/refunds.html')!;
    expect(refunds).toMatchObject({ title: 'Refunds and cancellations', url: expect.stringMatching(/^https:\/\/help\.wrenchat\.example\/billing\/refunds/) });
    expect(refunds.heading).toBeTruthy();
    expect(refunds.text).toMatch(/refund/i);
    // The model reads the same passages as text: numbered, with source and URL.
    expect(text(result)).toContain('[1] ');
    expect(text(result)).toContain('source: billing/refunds.html');
  });

  it('answer_question gives a cited answer, continues its conversation, and abstains with a reason', async () => {
    const client = await connect(keys.helpQuery);
    const result = await call(client, 'answer_question', { question: 'How do I get a refund?' });
    expect(result.isError).toBeFalsy();
    const answer = result.structuredContent as {
      answer: string;
      abstained: boolean;
      conversationId: string;
      citations: { index: number; source: string; url: string | null; snippet: string; supported: boolean }[];
    };
    expect(answer.abstained).toBe(false);
    expect(answer.citations.length).toBeGreaterThan(0);
    expect(answer.citations[0]).toMatchObject({ index: 1, source: 'billing/refunds.html', supported: true });
    expect(answer.answer).toContain('[1]');
    expect(text(result)).toMatch(/Sources:\n\[1\] .+ — https:\/\/help\.wrenchat\.example\/billing\/refunds/);
    expect(answer.conversationId).toMatch(/^[0-9a-f-]{36}$/);

    const followUp = await call(client, 'answer_question', { question: 'And for annual plans?', conversationId: answer.conversationId });
    expect(followUp.isError).toBeFalsy();
    expect((followUp.structuredContent as { conversationId: string }).conversationId).toBe(answer.conversationId);

    const offTopic = await call(client, 'answer_question', { question: 'Can I pay with Bitcoin?' });
    expect(offTopic.isError).toBeFalsy();
    const abstention = offTopic.structuredContent as { abstained: boolean; reason: string; citations: unknown[] };
    expect(abstention.abstained).toBe(true);
    expect(abstention.reason).toBeTruthy();
    expect(text(offTopic)).toContain(`does not answer this question (abstained: ${abstention.reason})`);
  });

  it('get_document returns the whole document as Markdown, by source or id, each sentence once', async () => {
    const client = await connect(keys.helpQuery);
    const bySource = await call(client, 'get_document', { source: 'guide/shipping times.md' });
    expect(bySource.isError).toBeFalsy();
    const document = bySource.structuredContent as { documentId: string; kb: string; markdown: string; truncated: boolean; uri: string };
    expect(document).toMatchObject({ kb: 'help', truncated: false, uri: 'oriole://kb/help/guide/shipping%20times.md' });
    expect(document.markdown).toMatch(/^# Shipping times\n\n## Zones\n\n/);
    // The chunks repeat sentences at their seams; the document says each once.
    const chunks = (await listDocumentChunks(database, { documentId: document.documentId, from: 0, limit: 100 })).chunks;
    expect(chunks.length).toBeGreaterThan(2);
    const repeated = shippingSentences.filter((sentence) => chunks.filter((chunk) => chunk.text.includes(sentence)).length > 1);
    expect(repeated.length).toBeGreaterThan(0);
    for (const sentence of shippingSentences) expect(document.markdown.split(sentence).length - 1, sentence).toBe(1);
    expect(bySource.content).toContainEqual(expect.objectContaining({ type: 'resource_link', uri: document.uri, mimeType: 'text/markdown' }));

    const byId = await call(client, 'get_document', { documentId: document.documentId });
    expect((byId.structuredContent as { markdown: string }).markdown).toBe(document.markdown);

    const html = await call(client, 'get_document', { source: 'billing/refunds.html', kb: 'help' });
    expect((html.structuredContent as { markdown: string; url: string }).markdown).toContain('# Refunds and cancellations');
  });

  it('list_knowledge_bases shows what the key reaches, and which KB is the default', async () => {
    const bound = await call(await connect(keys.helpQuery), 'list_knowledge_bases', {});
    expect((bound.structuredContent as { knowledgeBases: unknown[] }).knowledgeBases).toEqual([
      expect.objectContaining({ name: 'help', isDefault: true, documentCount: 8 }),
    ]);
    const unbound = await call(await connect(keys.anyQuery), 'list_knowledge_bases', {});
    const names = (unbound.structuredContent as { knowledgeBases: { name: string; isDefault: boolean }[] }).knowledgeBases;
    // The server's default KB ('default') does not exist here, so none is marked.
    expect(names.map((kb) => [kb.name, kb.isDefault])).toEqual([
      ['help', false],
      ['other', false],
    ]);
    expect(text(unbound)).toContain('- other: 1 document(s)');
  });

  it('a key bound to one KB reaches no other, through any tool or resource', async () => {
    const client = await connect(keys.helpQuery);
    const refusals = [
      await call(client, 'search_knowledge_base', { query: 'vault combination', kb: 'other' }),
      await call(client, 'answer_question', { question: 'Where is the vault combination?', kb: 'other' }),
      await call(client, 'get_document', { source: 'vault.md', kb: 'other' }),
    ];
    for (const refusal of refusals) {
      expect(refusal.isError).toBe(true);
      expect(text(refusal)).toBe("forbidden: This key is bound to knowledge base 'help' and cannot reach another");
    }
    // By id, another KB's document is as unknown as an id that does not exist.
    const byId = await call(client, 'get_document', { documentId: otherDocumentId });
    expect(byId.isError).toBe(true);
    expect(text(byId)).toMatch(/^not_found: /);
    // Without naming a KB, a search stays in its own: the other KB's text is never found.
    const search = await call(client, 'search_knowledge_base', { query: 'vault combination' });
    expect(JSON.stringify(search.structuredContent)).not.toContain('vault.md');

    const { resources } = await client.listResources();
    expect(resources.length).toBe(8);
    expect(resources.every((resource) => resource.uri.startsWith('oriole://kb/help/'))).toBe(true);
    await expect(client.readResource({ uri: 'oriole://kb/other/vault.md' })).rejects.toMatchObject({ code: ErrorCode.InvalidParams });

    // An unbound query key reaches both; a conversation it had in the other KB is unknown to the bound key.
    const unbound = await connect(keys.anyQuery);
    const otherAnswer = await call(unbound, 'answer_question', { question: 'Where is the vault combination kept?', kb: 'other' });
    const otherConversation = (otherAnswer.structuredContent as { conversationId: string }).conversationId;
    const continued = await call(client, 'answer_question', { question: 'And who can open it?', conversationId: otherConversation });
    expect(continued.isError).toBe(true);
    expect(text(continued)).toMatch(/^not_found: /);
    const vault = await call(unbound, 'get_document', { source: 'vault.md', kb: 'other' });
    expect((vault.structuredContent as { markdown: string }).markdown).toContain('The vault combination is kept');
    expect((await unbound.listResources()).resources.map((resource) => resource.uri)).toContain('oriole://kb/other/vault.md');
  });

  it('documents are resources a client can attach: listed, read as Markdown, completed', async () => {
    const client = await connect(keys.helpQuery);
    const { resources } = await client.listResources();
    const shipping = resources.find((resource) => resource.name === 'guide/shipping times.md')!;
    expect(shipping).toMatchObject({ uri: 'oriole://kb/help/guide/shipping%20times.md', mimeType: 'text/markdown', title: 'Shipping times' });
    const read = await client.readResource({ uri: shipping.uri });
    expect(read.contents).toEqual([expect.objectContaining({ uri: shipping.uri, mimeType: 'text/markdown', text: expect.stringContaining(shippingSentences[0]!) })]);

    await expect(client.readResource({ uri: 'oriole://kb/help/no/such.md' })).rejects.toMatchObject({ code: -32002 });

    const completion = await client.complete({
      ref: { type: 'ref/resource', uri: 'oriole://kb/{kb}/{+source}' },
      argument: { name: 'source', value: 'billing' },
      context: { arguments: { kb: 'help' } },
    });
    expect(completion.completion.values).toEqual(['billing/refunds.html']);
  });

  it('bad arguments are tool errors naming the problem; the server keeps answering', async () => {
    const client = await connect(keys.helpQuery);
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['search_knowledge_base', {}, /query/],
      ['search_knowledge_base', { query: 'refunds', topK: 0 }, /topK/],
      ['search_knowledge_base', { query: 'x'.repeat(4_001) }, /query/],
      ['answer_question', { question: '   ' }, /question/],
      ['answer_question', { question: 'Refunds?', kb: '../etc' }, /kb/],
      ['get_document', {}, /exactly one of source or documentId/],
      ['get_document', { source: 'a.md', documentId: 'b' }, /exactly one of source or documentId/],
      ['get_document', { source: 'no/such/document.md' }, /^not_found: /],
      ['get_document', { source: '../secrets.md' }, /^invalid_request: /],
      ['get_document', { documentId: 'not-a-uuid' }, /^not_found: /],
      ['search_knowledge_base', { query: 'refunds', filters: { colour: 'red' } }, /filters/],
      ['no_such_tool', {}, /no_such_tool/],
    ];
    for (const [name, args, message] of cases) {
      const result = await call(client, name, args);
      expect(result.isError, `${name} ${JSON.stringify(args)}`).toBe(true);
      expect(text(result), `${name} ${JSON.stringify(args)}`).toMatch(message);
    }
    // An unbound key naming a KB that does not exist: not found, said plainly.
    const unknownKb = await call(await connect(keys.anyQuery), 'search_knowledge_base', { query: 'refunds', kb: 'nope' });
    expect(unknownKb.isError).toBe(true);
    expect(text(unknownKb)).toMatch(/^not_found: .*nope/);
    // A method the server does not have is a protocol error, not a crash.
    await expect(client.request({ method: 'prompts/list' }, (await import('@modelcontextprotocol/sdk/types.js')).ListPromptsResultSchema)).rejects.toBeInstanceOf(McpError);
    expect((await call(client, 'search_knowledge_base', { query: 'refunds' })).isError).toBeFalsy();
  });

  it('needs a query key, like /search and /answer; speaks JSON-RPC errors to what is not MCP', async () => {
    await expect(connect(null)).rejects.toThrow(/401|unauthorized|API key/i);
    await expect(connect(keys.helpIngest)).rejects.toThrow(/403|forbidden|'query' scope/i);
    const post = (headers: Record<string, string>, body: string) =>
      fetch(new URL('/mcp', url), { method: 'POST', headers: { Authorization: `Bearer ${keys.helpQuery}`, ...headers }, body });
    const json = { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' };
    // Stateless: no session stream to open or close.
    const get = await fetch(new URL('/mcp', url), { headers: { Authorization: `Bearer ${keys.helpQuery}`, Accept: 'text/event-stream' } });
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    const notAccepting = await post({ 'Content-Type': 'application/json', Accept: 'application/json' }, JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }));
    expect(notAccepting.status).toBe(406);
    expect(((await notAccepting.json()) as { error: { code: number } }).error.code).toBe(-32000);
    const notJsonRpc = await post(json, JSON.stringify({ hello: 'world' }));
    expect(notJsonRpc.status).toBe(400);
    expect(((await notJsonRpc.json()) as { error: { code: number } }).error.code).toBe(-32700);
    const malformed = await post(json, '{"jsonrpc": "2.0", ');
    expect(malformed.status).toBe(400);
    // A plain JSON-RPC request works without any SDK: one JSON response, no session header.
    const listed = await post(json, JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/list' }));
    expect(listed.status).toBe(200);
    expect(listed.headers.get('content-type')).toMatch(/^application\/json/);
    expect(listed.headers.get('mcp-session-id')).toBeNull();
    expect(((await listed.json()) as { id: number; result: { tools: unknown[] } }).result.tools).toHaveLength(4);
  });
});
