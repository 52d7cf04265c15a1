import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the fake API received and parsed it. */
export interface ReceivedPartition {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  /** Form fields other than the file. */
  fields: Record<string, string>;
  file: { name: string; type: string; bytes: Uint8Array } | null;
}

export type ElementJson = { type: string; element_id: string; text: string; metadata: Record<string, unknown> };

export interface FakeUnstructuredApi {
  url: string;
  received: ReceivedPartition[];
  /** Elements answered for a file name (metadata.filename and filetype are stamped in, as the API does). */
  elementsByFileName: Map<string, ElementJson[]>;
  /** Statuses to answer the next requests with, before behaving normally again. */
  failNext: number[];
  /** When set, requests are accepted and never answered. */
  hang: boolean;
  close(): Promise<void>;
}

/**
 * A local stand-in for Unstructured's `POST /general/v0/general`: checks the
 * `unstructured-api-key` header, parses the multipart/form-data body for real (a
 * `files` part and parameters) and answers a JSON array of elements, or the API's
 * `{"detail": …}` errors.
 */
export async function startFakeUnstructuredApi(apiKey: string): Promise<FakeUnstructuredApi> {
  const api: FakeUnstructuredApi = {
    url: '',
    received: [],
    elementsByFileName: new Map(),
    failNext: [],
    hang: false,
    close: async () => undefined,
  };
  const server = createServer((request, response) => {
    void handle(api, apiKey, request, response).catch((error: unknown) => {
      if (!response.headersSent && !response.destroyed) json(response, 500, { detail: String(error) });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  api.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  api.close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return api;
}

async function handle(api: FakeUnstructuredApi, apiKey: string, request: IncomingMessage, response: ServerResponse) {
  // Logged on arrival, so a client that gives up mid-upload is still counted.
  const received: ReceivedPartition = {
    method: request.method ?? '',
    path: request.url ?? '',
    headers: request.headers,
    fields: {},
    file: null,
  };
  api.received.push(received);
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  if (request.method !== 'POST' || request.url !== '/general/v0/general') return json(response, 404, { detail: 'Not Found' });
  if (request.headers['unstructured-api-key'] !== apiKey) return json(response, 401, { detail: 'API key is invalid' });

  // Parse the body with the platform's multipart parser, as a server framework would.
  const form = await new Request('http://fake.local/', {
    method: 'POST',
    headers: { 'content-type': request.headers['content-type'] ?? '' },
    body,
  }).formData();
  for (const [name, value] of form) {
    if (typeof value === 'string') received.fields[name] = value;
    else if (name === 'files') received.file = { name: value.name, type: value.type, bytes: new Uint8Array(await value.arrayBuffer()) };
  }

  if (api.hang) return;
  const failure = api.failNext.shift();
  if (failure !== undefined) return json(response, failure, { detail: failure >= 500 ? 'Internal Server Error' : `HTTP ${failure}` });
  if (received.file === null) return json(response, 400, { detail: 'Request parameter `files` is required.' });
  if (received.fields.strategy === 'fast' && received.file.type.startsWith('image/')) {
    return json(response, 422, { detail: 'The fast strategy is not available for image files' });
  }
  const elements = api.elementsByFileName.get(received.file.name);
  if (elements === undefined) return json(response, 400, { detail: `File type ${received.file.type} is not supported.` });
  const filetype = received.file.type;
  return json(
    response,
    200,
    elements.map((element) => ({ ...element, metadata: { ...element.metadata, filename: received.file?.name, filetype } })),
  );
}

function json(response: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  response.end(body);
}
