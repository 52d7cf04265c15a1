import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A real HTTP server on 127.0.0.1 speaking the OpenAI Chat Completions protocol
 * (`POST /v1/chat/completions`, streamed or not, and `GET /v1/models`), with a
 * deterministic "model" so answers can be asserted:
 *
 * - the passages are the `[n] …` blocks of the system and user messages (a block runs
 *   to the next `[n]` line, a `Question:` label, or the message end); a `[n]` line that is
 *   not a sentence and has text below it, like `[2] Refunds › Timing (source: refunds.md)`,
 *   is the passage's header: matched against, never quoted;
 * - the question is the last user message (its `Question:`/`问题：` part when it also
 *   carries passages);
 * - the reply is the first sentence of the passage sharing the most content words with
 *   the question (English words, Chinese character bigrams), followed by ` [n]`; a Chinese
 *   question is answered from a Chinese passage when one matches;
 * - with no shared content word the reply is `I don't know.`, or `我不知道。` when the
 *   question contains Han characters.
 *
 * Eval prompts (evals/judge.ts, evals/generate.ts) are recognised by their system
 * message's first sentence and answered in JSON, as meaningfully as word overlap allows
 * ("fact words": content words plus numbers, Chinese character bigrams):
 *
 * - correctness: the share of the reference answer's fact words found in the candidate
 *   answer, and 0 when both state numbers but share none (a contradiction);
 * - claims: the answer's sentences, markers removed, declines ("I don't know") left out;
 * - claim verdicts: a claim is supported when more than half its fact words appear in
 *   the passages;
 * - a drafted eval case: a question about the passage's heading (or its first sentence
 *   when it has none), answered by the passage's first sentence.
 *
 * The verifier's yes/no prompts (src/verifiers/llm-verifier.ts) are answered "yes" when the
 * passage holds more than half the question's (or statement's) content words, else "no";
 * `verdicts` scripts them instead, and delays them alone.
 *
 * Failures and slowness are scripted with `setBehaviour`, and every request is recorded,
 * including whether the client went away before the response was complete.
 */

export interface FakeOpenAiBehaviour {
  /** Wait this long before the first byte of the response (status line included). */
  delayMs?: number;
  /** Streaming: after the first content chunk, wait this long before sending the rest. */
  stallAfterFirstChunkMs?: number;
  /** Streaming: pause between chunks (default 0; chunks are still written separately). */
  chunkDelayMs?: number;
  /**
   * Answer the next `times` chat requests (default: all of them) with this HTTP status and
   * an OpenAI-style error body (with a `retry-after-ms` header when `retryAfterMs` is given),
   * or drop the connection without a response (`'connection-reset'`).
   */
  failWith?: { status: number | 'connection-reset'; times?: number; message?: string; retryAfterMs?: number };
  /** Appended to every reply, e.g. ' See also [9].' to cite a passage that does not exist. */
  extraText?: string;
  /** Reply with exactly this text (plus `extraText`) instead of the passage-picking model. */
  fixedReply?: string;
  /**
   * The verifier's prompts only: reply with this instead of the word-overlap verdict, to "does
   * the passage answer the question?" (`answers`) or "does it state this?" (`supports`); and
   * wait `delayMs` before replying to either.
   */
  verdicts?: { answers?: string; supports?: string; delayMs?: number };
}

export interface RecordedOpenAiRequest {
  method: string;
  /** Path and query, e.g. '/v1/chat/completions'. */
  path: string;
  /** The parsed JSON body, or null for a body-less or non-JSON request. */
  body: ChatCompletionRequestBody | null;
  headers: IncomingHttpHeaders;
  receivedAt: number;
  /** True once the client closed the connection before the response was complete. */
  clientAborted: boolean;
  /** True once the response was completely written. */
  completed: boolean;
}

export interface ChatCompletionRequestBody {
  model?: string;
  messages?: Array<{ role: string; content: unknown }>;
  stream?: boolean;
  stream_options?: { include_usage?: boolean } | null;
  [key: string]: unknown;
}

export interface FakeOpenAiServer {
  /** Base URL ending in `/v1`, as OPENAI_BASE_URL would be set. */
  url: string;
  requests: RecordedOpenAiRequest[];
  /** Replaces the behaviour and restarts the `failWith.times` count. */
  setBehaviour(behaviour: FakeOpenAiBehaviour): void;
  close(): Promise<void>;
}

export interface FakeOpenAiServerOptions {
  behaviour?: FakeOpenAiBehaviour;
  /** Listed by GET /v1/models. */
  models?: string[];
}

export async function startFakeOpenAiServer(options: FakeOpenAiServerOptions = {}): Promise<FakeOpenAiServer> {
  const requests: RecordedOpenAiRequest[] = [];
  const models = options.models ?? ['fake-model'];
  let behaviour: FakeOpenAiBehaviour = options.behaviour ?? {};
  let failuresSent = 0;

  const server = createServer((request, response) => {
    void handle(request, response).catch((error: unknown) => {
      if (!response.headersSent && !response.destroyed) {
        sendJson(response, 500, errorBody(`fake server error: ${String(error)}`, 'server_error'));
      } else {
        response.destroy();
      }
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const raw = await readBody(request);
    let body: ChatCompletionRequestBody | null = null;
    try {
      body = raw === '' ? null : (JSON.parse(raw) as ChatCompletionRequestBody);
    } catch {
      body = null;
    }
    const recorded: RecordedOpenAiRequest = {
      method: request.method ?? '',
      path: request.url ?? '',
      body,
      headers: request.headers,
      receivedAt: performance.now(),
      clientAborted: false,
      completed: false,
    };
    requests.push(recorded);
    const gone = new AbortController();
    response.on('close', () => {
      recorded.completed = response.writableFinished;
      recorded.clientAborted = !response.writableFinished;
      gone.abort();
    });

    const path = (request.url ?? '').split('?')[0];
    if (request.method === 'GET' && path === '/v1/models') {
      return sendJson(response, 200, {
        object: 'list',
        data: models.map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'oriole-tests' })),
      });
    }
    if (request.method === 'POST' && path === '/v1/embeddings') return sendJson(response, 200, embeddingsResponse(body));
    if (request.method !== 'POST' || path !== '/v1/chat/completions') {
      return sendJson(response, 404, errorBody(`Unknown request URL: ${request.method} ${path}`, 'invalid_request_error'));
    }
    if (body === null || !Array.isArray(body.messages) || typeof body.model !== 'string') {
      return sendJson(response, 400, errorBody("'model' and 'messages' are required", 'invalid_request_error'));
    }

    const current = behaviour;
    if (!(await sleep(current.delayMs ?? 0, gone.signal))) return;
    const verification = verificationKind(body.messages);
    if (verification !== undefined && !(await sleep(current.verdicts?.delayMs ?? 0, gone.signal))) return;

    const failure = current.failWith;
    if (failure !== undefined && failuresSent < (failure.times ?? Number.POSITIVE_INFINITY)) {
      failuresSent += 1;
      if (failure.status === 'connection-reset') {
        request.socket.destroy();
        return;
      }
      const headers: Record<string, string> =
        failure.retryAfterMs === undefined ? {} : { 'retry-after-ms': String(failure.retryAfterMs) };
      return sendJson(response, failure.status, failureBody(failure.status, failure.message, request.headers.authorization), headers);
    }

    const scripted = verification === undefined ? undefined : current.verdicts?.[verification];
    const reply = verification !== undefined
      ? (scripted ?? fakeModelReply(body.messages))
      : (current.fixedReply ?? fakeModelReply(body.messages)) + (current.extraText ?? '');
    const id = `chatcmpl-${randomUUID()}`;
    const created = Math.floor(Date.now() / 1000);
    const usage = {
      prompt_tokens: countTokens(body.messages.map((message) => textOf(message.content)).join(' ')),
      completion_tokens: countTokens(reply),
      total_tokens: 0,
    };
    usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;

    if (body.stream !== true) {
      return sendJson(response, 200, {
        id,
        object: 'chat.completion',
        created,
        model: body.model,
        system_fingerprint: null,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: reply, refusal: null },
            logprobs: null,
            finish_reason: 'stop',
          },
        ],
        usage,
      });
    }

    const includeUsage = body.stream_options?.include_usage === true;
    const chunk = (delta: Record<string, unknown>, finishReason: string | null) => ({
      id,
      object: 'chat.completion.chunk',
      created,
      model: body.model,
      system_fingerprint: null,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
      ...(includeUsage ? { usage: null } : {}),
    });
    response.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache',
      Connection: 'keep-alive',
    });
    const send = (data: unknown) => response.write(`data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);

    send(chunk({ role: 'assistant', content: '' }, null));
    const pieces = streamPieces(reply);
    for (const [index, piece] of pieces.entries()) {
      if (gone.signal.aborted) return;
      send(chunk({ content: piece }, null));
      const pause = index === 0 ? (current.stallAfterFirstChunkMs ?? current.chunkDelayMs ?? 0) : (current.chunkDelayMs ?? 0);
      if (!(await sleep(pause, gone.signal))) return;
    }
    send(chunk({}, 'stop'));
    if (includeUsage) {
      send({ id, object: 'chat.completion.chunk', created, model: body.model, system_fingerprint: null, choices: [], usage });
    }
    send('[DONE]');
    response.end();
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    setBehaviour(next) {
      behaviour = next;
      failuresSent = 0;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The deterministic "model": see the file comment. */
export function fakeModelReply(messages: Array<{ role: string; content: unknown }>): string {
  const evalTask = evalTaskReply(messages);
  if (evalTask !== undefined) return evalTask;
  const rewrite = followUpRewrite(messages);
  if (rewrite !== undefined) return rewrite;
  const passages = messages
    .filter((message) => message.role === 'system' || message.role === 'developer' || message.role === 'user')
    .flatMap((message) => passagesIn(textOf(message.content)));
  const lastUser = [...messages].reverse().find((message) => message.role === 'user');
  const question = questionIn(lastUser === undefined ? '' : textOf(lastUser.content));
  const chinese = hasHan(question);
  const questionWords = contentWords(question);

  const scored = passages
    .map((passage) => {
      const words = contentWords(passage.matchText);
      let shared = 0;
      for (const word of questionWords) if (words.has(word)) shared += 1;
      return { ...passage, shared };
    })
    .filter((passage) => passage.shared > 0);
  // A Chinese question is answered from a Chinese passage when one matches at all.
  const candidates = chinese && scored.some((passage) => hasHan(passage.text)) ? scored.filter((passage) => hasHan(passage.text)) : scored;
  let best: (typeof candidates)[number] | undefined;
  for (const passage of candidates) if (best === undefined || passage.shared > best.shared) best = passage;
  if (best === undefined) return chinese ? '我不知道。' : "I don't know.";
  return `${bestSentence(best.text, questionWords)} [${best.index}]`;
}

/**
 * A follow-up rewrite request ("Conversation: … Last message: … Standalone question:"):
 * the "model" joins the last earlier user question and the follow-up, which is enough
 * to carry the subject over.
 */
function followUpRewrite(messages: Array<{ role: string; content: unknown }>): string | undefined {
  const lastUser = [...messages].reverse().find((message) => message.role === 'user');
  const text = lastUser === undefined ? '' : textOf(lastUser.content);
  if (!/Standalone question:\s*$/.test(text)) return undefined;
  const followUp = /Last message:\s*(.+)/.exec(text)?.[1]?.trim() ?? '';
  const earlier = [...text.matchAll(/^User:\s*(.+)$/gm)].at(-1)?.[1]?.trim() ?? '';
  return `${earlier} ${followUp}`.trim();
}

/** The judge's and the eval-case drafter's prompts, told apart by their system message's first sentence. */
function evalTaskReply(messages: Array<{ role: string; content: unknown }>): string | undefined {
  const system = messages
    .filter((message) => message.role === 'system' || message.role === 'developer')
    .map((message) => textOf(message.content))
    .join('\n');
  const lastUser = [...messages].reverse().find((message) => message.role === 'user');
  const user = lastUser === undefined ? '' : textOf(lastUser.content);
  if (/You compare a candidate answer with a reference answer/.test(system)) return correctnessReply(user);
  if (/You break an answer .* into atomic claims/.test(system)) return claimsReply(user);
  if (/You check claims against numbered passages/.test(system)) return verdictsReply(user);
  if (/You write test questions for a help center/.test(system)) return draftReply(user);
  if (verificationKind(messages) !== undefined) return verificationReply(user);
  return undefined;
}

/** Which of the verifier's two questions a request asks, if it is one. */
function verificationKind(messages: Array<{ role: string; content: unknown }>): 'answers' | 'supports' | undefined {
  const system = messages.filter((message) => message.role === 'system').map((message) => textOf(message.content)).join('\n');
  if (/^You check whether a passage answers a question/.test(system)) return 'answers';
  if (/^You check whether a passage supports a statement/.test(system)) return 'supports';
  return undefined;
}

/** "yes" when the passage holds more than half the question's (or statement's) content words. */
function verificationReply(user: string): string {
  const asked = contentWords(/^(?:Question|Statement):\s*(.*)$/m.exec(user)?.[1] ?? '');
  const passage = contentWords(tagged(user, 'passage'));
  const found = [...asked].filter((word) => passage.has(word)).length;
  return found * 2 > asked.size ? 'Yes' : 'No';
}

/** Fenced, as models often reply, so the judge's lenient parsing is exercised. */
function correctnessReply(user: string): string {
  const reference = factWords(tagged(user, 'reference_answer'));
  const answer = factWords(tagged(user, 'candidate_answer'));
  const found = [...reference].filter((word) => answer.has(word)).length;
  const numbersOf = (words: Set<string>) => [...words].filter((word) => /^\d+$/.test(word));
  const referenceNumbers = numbersOf(reference);
  const answerNumbers = numbersOf(answer);
  const contradicts =
    referenceNumbers.length > 0 && answerNumbers.length > 0 && !referenceNumbers.some((number) => answer.has(number));
  const score = contradicts || reference.size === 0 ? 0 : Math.round((found / reference.size) * 100) / 100;
  const reason = contradicts ? 'The numbers differ from the reference.' : `${found} of ${reference.size} reference terms are stated.`;
  return `\`\`\`json\n${JSON.stringify({ score, reason })}\n\`\`\``;
}

/** With a lead-in sentence, as models often reply. */
function claimsReply(user: string): string {
  const answer = tagged(user, 'answer').replace(/\s*\[\d+\]/g, '');
  const claims = sentencesOf(answer).filter((sentence) => !/^(?:I don't know|我不知道)/i.test(sentence));
  return `Here are the claims:\n${JSON.stringify(claims)}`;
}

function verdictsReply(user: string): string {
  const passages = factWords(tagged(user, 'passages'));
  let claims: unknown;
  try {
    claims = JSON.parse(tagged(user, 'claims'));
  } catch {
    claims = [];
  }
  const verdicts = (Array.isArray(claims) ? claims : []).map((claim) => {
    const words = [...factWords(String(claim))];
    const present = words.filter((word) => passages.has(word)).length;
    return { claim: String(claim), reason: `${present} of ${words.length} terms in the passages`, supported: present * 2 > words.length };
  });
  return JSON.stringify(verdicts);
}

function draftReply(user: string): string {
  const passage = tagged(user, 'passage');
  const heading = tagged(user, 'heading');
  const [first] = sentencesOf(passage);
  if (first === undefined) return JSON.stringify({ question: '', answer: '' });
  const chinese = hasHan(passage);
  const topic = (heading || first).replace(/[.。!！?？]+$/u, '');
  const question = chinese ? `关于“${topic}”需要知道什么？` : `What should I know about ${topic}?`;
  return JSON.stringify({ question, answer: first });
}

/** The text between `<tag>` and `</tag>`, or ''. */
function tagged(text: string, tag: string): string {
  return new RegExp(`<${tag}>\\n?([\\s\\S]*?)\\n?</${tag}>`).exec(text)?.[1]?.trim() ?? '';
}

function sentencesOf(text: string): string[] {
  return text
    .split(/\n+|(?<=[.!?])\s+|(?<=[。！？])/u)
    .map((sentence) => sentence.replace(/^\s*(?:[-*+]|\d+[.)]|#+)\s*/, '').trim())
    .filter((sentence) => /\p{Script=Han}{2}|\p{L}{2}/u.test(sentence));
}

/** Content words and numbers of any length: a fact's "5" matters as much as its "refund". */
function factWords(text: string): Set<string> {
  const words = contentWords(text);
  for (const number of text.match(/\d+/g) ?? []) words.add(number);
  return words;
}

interface FakePassage {
  index: number;
  /** What the answer is taken from: the passage without its header line. */
  text: string;
  /** What the question is matched against: header and text. */
  matchText: string;
}

const markerLine = /^\[(\d+)\][ \t]*/;
const questionLabel = /^\s*(question|user question|问题)\s*[:：]/i;
/** Header lines a prompt may put above a passage's text; not part of the answer. */
const metadataLine = /^\s*(source|title|url|heading|section|document|来源|标题)\s*[:：]/i;

function passagesIn(text: string): FakePassage[] {
  const passages: FakePassage[] = [];
  let current: { index: number; lines: string[] } | undefined;
  const finish = () => {
    if (current === undefined) return;
    const lines = current.lines.filter((line) => !metadataLine.test(line));
    const [first = '', ...rest] = lines;
    // `[n] Title › Heading (source: …)` above the text is a header when it is not a sentence itself.
    const header = rest.some((line) => line.trim() !== '') && !/[.!?。！？]\s*$/u.test(first) ? first : undefined;
    const body = (header === undefined ? lines : rest).join('\n').trim();
    if (body !== '') passages.push({ index: current.index, text: body, matchText: `${header ?? ''}\n${body}` });
    current = undefined;
  };
  for (const line of text.split(/\r?\n/)) {
    const marker = markerLine.exec(line);
    if (marker) {
      finish();
      current = { index: Number(marker[1]), lines: [line.slice(marker[0].length)] };
    } else if (questionLabel.test(line) || /^\s*(<\/|---|###)/.test(line)) {
      finish();
    } else {
      current?.lines.push(line);
    }
  }
  finish();
  return passages;
}

function questionIn(text: string): string {
  const lines = text.split(/\r?\n/);
  const labelled = lines.findIndex((line) => questionLabel.test(line));
  if (labelled >= 0) {
    return [lines[labelled]!.replace(questionLabel, ''), ...lines.slice(labelled + 1)].join('\n').trim();
  }
  if (lines.some((line) => markerLine.test(line))) {
    // Passages and question in one message with no label: the question is what no passage holds.
    const last = lines.filter((line) => line.trim() !== '').at(-1) ?? '';
    return markerLine.test(last) ? '' : last.trim();
  }
  return text.trim();
}

const stopwords = new Set(
  (
    'a an and are as at be been but by can could did do does doing for from had has have how i if in into is it its ' +
    'me my no not of on or our so than that the their them then there these they this to too us was we were what when ' +
    'where which who whom why will with would you your yours about after before more most some such only own same ' +
    'should shall may might must just also any all each other over under again further once here both few very'
  ).split(' '),
);

function contentWords(text: string): Set<string> {
  const words = new Set<string>();
  for (const word of text.toLowerCase().match(/[a-z0-9]+/g) ?? []) {
    if (word.length >= 2 && !stopwords.has(word)) words.add(word);
  }
  for (const run of text.match(/\p{Script=Han}+/gu) ?? []) {
    const characters = [...run];
    if (characters.length === 1) words.add(run);
    for (let index = 0; index + 1 < characters.length; index += 1) words.add(characters[index]! + characters[index + 1]!);
  }
  return words;
}

function hasHan(text: string): boolean {
  return /\p{Script=Han}/u.test(text);
}

/** The passage sentence (list numbering stripped) sharing most words with the question; the first on ties. */
function bestSentence(text: string, questionWords: Set<string>): string {
  const sentences = text
    .split(/\n+|(?<=[.!?])\s+|(?<=[。！？])/u)
    .map((sentence) => sentence.replace(/^\s*(?:[-*+]|\d+[.)]|#+)\s*/, '').trim())
    .filter((sentence) => /\p{Script=Han}{4}|(?:\S+\s+){2}\S+/u.test(sentence));
  let best = sentences[0] ?? text.trim();
  let bestShared = -1;
  for (const sentence of sentences) {
    const words = contentWords(sentence);
    let shared = 0;
    for (const word of questionWords) if (words.has(word)) shared += 1;
    if (shared > bestShared) {
      best = sentence;
      bestShared = shared;
    }
  }
  return best;
}

/** Words with their trailing space, and Chinese in runs of up to three characters, so streaming is visible. */
function streamPieces(text: string): string[] {
  return text.match(/\p{Script=Han}{1,3}|[^\s\p{Script=Han}]+\s*|\s+/gu) ?? [text];
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part: unknown) =>
        typeof part === 'object' && part !== null && 'text' in part && typeof part.text === 'string' ? part.text : '',
      )
      .join('');
  }
  return '';
}

function countTokens(text: string): number {
  return (text.match(/\p{Script=Han}|[^\s\p{Script=Han}]+/gu) ?? []).length;
}

function errorBody(message: string, type: string, code: string | null = null) {
  return { error: { message, type, param: null, code } };
}

/** Like OpenAI's 401, the message echoes the key it was given; callers must not pass it on. */
function failureBody(status: number, message: string | undefined, authorization: string | undefined) {
  if (message !== undefined) return errorBody(message, status >= 500 ? 'server_error' : 'invalid_request_error');
  if (status === 401) {
    const key = authorization?.replace(/^Bearer\s+/i, '') ?? '';
    return errorBody(`Incorrect API key provided: ${key}.`, 'invalid_request_error', 'invalid_api_key');
  }
  if (status === 429) return errorBody('Rate limit reached for requests', 'requests', 'rate_limit_exceeded');
  if (status === 404) return errorBody('The model does not exist or you do not have access to it.', 'invalid_request_error', 'model_not_found');
  if (status >= 500) return errorBody('The server had an error while processing your request.', 'server_error');
  return errorBody(`Request failed with status ${status}`, 'invalid_request_error');
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (response.destroyed) return;
  response.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let raw = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (raw += chunk));
    request.on('end', () => resolve(raw));
    request.on('error', reject);
  });
}

/** Resolves true after the pause, or false as soon as the client is gone. */
function sleep(milliseconds: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  if (milliseconds <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, milliseconds);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Dimension of the fake embedding model's vectors. */
export const fakeEmbeddingDimension = 64;

/**
 * `POST /v1/embeddings`: a deterministic bag-of-words model. Each lower-cased word (or
 * Han character) adds 1 to the dimension its FNV-1a hash picks, so texts sharing words
 * are close: enough for hybrid retrieval to have a real vector leg in tests.
 */
function embeddingsResponse(body: ChatCompletionRequestBody | null): unknown {
  const input = body?.input;
  const texts = Array.isArray(input) ? input.map(String) : [String(input ?? '')];
  return {
    object: 'list',
    model: body?.model ?? 'fake-embedding',
    data: texts.map((text, index) => ({ object: 'embedding', index, embedding: bagOfWordsVector(text) })),
    usage: { prompt_tokens: 0, total_tokens: 0 },
  };
}

function bagOfWordsVector(text: string): number[] {
  const vector: number[] = Array.from({ length: fakeEmbeddingDimension }, () => 0);
  for (const word of text.toLowerCase().match(/\p{Script=Han}|[\p{L}\p{N}]+/gu) ?? []) {
    let hash = 0x811c9dc5;
    for (const character of word) hash = Math.imul(hash ^ character.codePointAt(0)!, 0x01000193) >>> 0;
    vector[hash % fakeEmbeddingDimension]! += 1;
  }
  if (!vector.some((value) => value > 0)) vector[0] = 1;
  return vector;
}
