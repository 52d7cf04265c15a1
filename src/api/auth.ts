import type { Context, MiddlewareHandler } from 'hono';
import { OrioleError, notFound } from '../core/index.ts';
import { anyActiveApiKey, findApiKey, type Database } from '../db/index.ts';
import type { AppEnvironment, AuthDependencies, Principal, Scope } from './context.ts';
import { ApiKeyCache, apiKeyCacheKey, apiKeyCacheMaxEntries, apiKeyCacheTtlMs } from './key-cache.ts';

/**
 * API-key authentication and authorisation (docs/auth.md).
 *
 * Auth is on as soon as ORIOLE_ADMIN_KEY is set or one unrevoked key exists; then every
 * route but /health needs `Authorization: Bearer <key>`. Each route needs a scope (the
 * table below; `admin` satisfies all). A key bound to a KB reaches that KB only: routes
 * call `requestKb` for KB names and `authorizeKb` / `authorizeKbResource` for what they load.
 */

/** What a route needs: no key at all, any valid key, or a scope. */
export type Requirement = 'open' | 'any' | Scope;

/**
 * Method and path → requirement, first match wins. A route missing here needs `admin`,
 * so a new route is closed until it is classified.
 */
export const routeRequirements: readonly { method: string; path: RegExp; requirement: Requirement }[] = [
  { method: 'GET', path: /^\/health$/, requirement: 'open' },
  // The web pages and their assets hold no data; what they show comes from calls that carry a key.
  { method: 'GET', path: /^\/(admin|widget\.js|assets\/[^/]+)?$/, requirement: 'open' },
  { method: 'GET', path: /^\/(ready|openapi\.json|docs|kbs)$/, requirement: 'any' },
  { method: 'POST', path: /^\/(answer|search|feedback|v1\/chat\/completions|v1\/responses)$/, requirement: 'query' },
  { method: 'GET', path: /^\/v1\/models$/, requirement: 'query' },
  // The MCP endpoint searches and answers like /search and /answer; its tools keep the key's KB binding (docs/mcp.md).
  { method: '*', path: /^\/mcp$/, requirement: 'query' },
  // One conversation, by its id: the client that holds the id (a query key) may read, resolve
  // and hand it off; listing everyone's conversations needs admin (docs/conversations.md).
  { method: 'GET', path: /^\/conversations\/[^/]+$/, requirement: 'query' },
  { method: 'POST', path: /^\/conversations\/[^/]+\/(resolve|handoff)$/, requirement: 'query' },
  { method: 'GET', path: /^\/conversations$/, requirement: 'admin' },
  { method: '*', path: /^\/(documents|jobs)(\/.*)?$/, requirement: 'ingest' },
  // Curated answers are content a support team keeps, like documents: ingest keys may edit them.
  { method: '*', path: /^\/kbs\/[^/]+\/curated-answers(\/[^/]+)?$/, requirement: 'ingest' },
  // Sources hold platform credentials (sealed, never returned): admin keys only (docs/sources.md).
  { method: '*', path: /^\/sources(\/.*)?$/, requirement: 'admin' },
  { method: '*', path: /^\/(kbs|evals|eval-sets|analytics|metrics|keys)(\/.*)?$/, requirement: 'admin' },
];

/**
 * All a widget key (one bound to web origins) may do: ask and rate answers. Its CORS
 * preflights are answered for any origin (cors.ts); the key decides the real request.
 */
export const widgetRoutes: readonly { method: string; path: string }[] = [
  { method: 'POST', path: '/answer' },
  { method: 'POST', path: '/feedback' },
];

export function isWidgetRoute(method: string, path: string): boolean {
  const normalised = path.length > 1 ? path.replace(/\/+$/, '') : path;
  return widgetRoutes.some((route) => route.method === method && route.path === normalised);
}

/** Served while the key store is unreachable: it only says that the database is down. */
const readinessRoute = /^\/ready\/?$/;

/**
 * Routes that report on every KB at once, or mint keys for any KB: a key bound to one
 * KB may not use them (a bound admin key must not create an unbound one).
 */
const allKbRoutes = /^\/(metrics|keys(\/.*)?)$/;

export function requirementOf(method: string, path: string): Requirement {
  // HEAD is answered by the GET route.
  const verb = method === 'HEAD' ? 'GET' : method;
  const normalised = path.length > 1 ? path.replace(/\/+$/, '') : path;
  for (const rule of routeRequirements) {
    if ((rule.method === '*' || rule.method === verb) && rule.path.test(normalised)) return rule.requirement;
  }
  return 'admin';
}

/** How long "is auth on?" is remembered, so a key created with the CLI takes effect within seconds. */
export const authStateTtlMs = 2_000;

const unrestricted = { origins: [], ratePerMinute: null } as const;
const anonymous: Principal = { scope: 'admin', kbId: null, kbName: null, keyId: 'anonymous', ...unrestricted };
const adminEnvironment: Principal = { scope: 'admin', kbId: null, kbName: null, keyId: 'admin-env', ...unrestricted };

/** Authenticates the request and checks its route's scope; sets `principal` (and `keyCache`, for revocations). */
export function authentication(
  database: Database,
  auth: AuthDependencies,
  keyCache: ApiKeyCache = new ApiKeyCache({ ttlMs: apiKeyCacheTtlMs, maxEntries: apiKeyCacheMaxEntries }),
): MiddlewareHandler<AppEnvironment> {
  // Hashed once: each request then hashes only its own key.
  const adminKeyHash = auth.adminKey === null ? null : apiKeyCacheKey(auth.adminKey);
  let keysExist: { value: boolean; until: number } | undefined;
  const authOn = async (): Promise<boolean> => {
    if (auth.adminKey) return true;
    if (keysExist && Date.now() < keysExist.until) return keysExist.value;
    const value = await anyActiveApiKey(database);
    keysExist = { value, until: Date.now() + authStateTtlMs };
    return value;
  };

  return async function authenticate(context, next) {
    const requirement = requirementOf(context.req.method, context.req.path);
    if (requirement === 'open') {
      context.set('principal', anonymous);
      return next();
    }
    context.set('keyCache', keyCache);
    const token = bearerToken(context.req.header('authorization'));
    let principal: Principal | undefined;
    try {
      if (token !== undefined) {
        const tokenHash = apiKeyCacheKey(token);
        const isAdminKey = adminKeyHash !== null && constantTimeEqual(tokenHash, adminKeyHash);
        principal = isAdminKey ? adminEnvironment : await cachedKeyPrincipal(database, keyCache, token, tokenHash);
        if (principal) keysExist = { value: true, until: Date.now() + authStateTtlMs };
      }
      // With auth off a token is ignored: OpenAI clients always send one.
      if (!principal && (await authOn())) {
        context.header('WWW-Authenticate', 'Bearer realm="oriole"');
        throw unauthorized(token === undefined ? 'missing' : 'invalid');
      }
    } catch (error) {
      // Keys cannot be checked without the database; /ready still reports that the database is down.
      const keyStoreDown = error instanceof OrioleError && error.code === 'upstream_unavailable';
      if (!(keyStoreDown && readinessRoute.test(context.req.path))) throw error;
    }
    principal ??= anonymous;
    if (principal.origins.length > 0) checkWidgetKey(context, principal);
    if (requirement !== 'any' && !satisfies(principal.scope, requirement)) {
      throw new OrioleError('forbidden', `This route needs a key with the '${requirement}' scope; this key has '${principal.scope}'`, {
        details: { required: requirement, scope: principal.scope },
      });
    }
    if (principal.kbId !== null && allKbRoutes.test(context.req.path)) {
      throw new OrioleError('forbidden', 'This route spans every knowledge base (a report on all of them, or keys for any); a key bound to one cannot use it', {
        details: { kb: principal.kbName },
      });
    }
    context.set('principal', principal);
    return next();
  };
}

/**
 * What the KB rules read of a caller: the KB its key is bound to (both null: every KB).
 * HTTP requests pass their principal; the MCP server (src/mcp) passes its caller's, so a
 * bound key reaches the same KBs over /mcp as over the routes.
 */
export type KbBinding = Pick<Principal, 'kbId' | 'kbName'>;

/**
 * The KB name a request uses: the one it names, else the bound KB of its key, else the
 * server's default. Naming another KB than the key's own is `forbidden`, whether that
 * KB exists or not.
 */
export function requestKb(context: Context<AppEnvironment>, kbName: string | undefined): string {
  return kbOfCaller(principalOf(context), kbName, context.get('dependencies').defaultKb);
}

/** `requestKb` for any caller: the named KB, else the bound one, else `defaultKb`; another KB than the bound one is `forbidden`. */
export function kbOfCaller(binding: KbBinding, kbName: string | undefined, defaultKb: string): string {
  if (binding.kbName === null) return kbName ?? defaultKb;
  if (kbName !== undefined && kbName !== binding.kbName) throw forbiddenKb(binding);
  return binding.kbName;
}

/**
 * The KB an answer request names: `kbOfCaller`, except that a conversation continued
 * without naming a KB answers from the conversation's own KB (`{}`: the answer service
 * finds it), not the default. A bound key always names its KB: another KB's
 * conversation is then not found.
 */
export function answerKbOfCaller(binding: KbBinding, kbName: string | undefined, conversationId: string | undefined, defaultKb: string): { kb?: string } {
  if (conversationId !== undefined && kbName === undefined && binding.kbName === null) return {};
  return { kb: kbOfCaller(binding, kbName, defaultKb) };
}

/** Throws `forbidden` when the request's key is bound to another KB than `kb`. */
export function authorizeKb(context: Context<AppEnvironment>, kb: { id: string; name: string }): void {
  const principal = principalOf(context);
  if (principal.kbId !== null && principal.kbId !== String(kb.id)) throw forbiddenKb(principal);
}

/**
 * For a resource loaded by id (a document, a job, an eval run): when it belongs to
 * another KB than the key's, answers exactly as for an unknown id (`not_found`), so a
 * bound key cannot even learn that the id exists.
 */
export function authorizeKbResource(context: Context<AppEnvironment>, kbId: string, what: string, id: string): void {
  authorizeKbResourceOf(principalOf(context), kbId, what, id);
}

/** `authorizeKbResource` for any caller. */
export function authorizeKbResourceOf(binding: KbBinding, kbId: string, what: string, id: string): void {
  if (binding.kbId !== null && binding.kbId !== String(kbId)) throw notFound(what, id);
}

/** Whether the request's key may see this KB (for listings: GET /kbs, GET /v1/models). */
export function canSeeKb(context: Context<AppEnvironment>, kb: { id: string }): boolean {
  return callerSeesKb(principalOf(context), kb);
}

/** `canSeeKb` for any caller. */
export function callerSeesKb(binding: KbBinding, kb: { id: string }): boolean {
  return binding.kbId === null || binding.kbId === String(kb.id);
}

export function principalOf(context: Context<AppEnvironment>): Principal {
  // Every route runs behind `authentication`; an app built without it acts as before auth.
  return context.get('principal') ?? anonymous;
}

/**
 * A widget key sits in a web page for anyone to read: it is accepted only with one of
 * its origins in `Origin` (a browser on the listed site; no header, no entry) and only
 * on the widget's routes. This bounds what a browser on another site can do with it;
 * a non-browser client can forge Origin, which the scope, the KB binding and the key's
 * own rate limit bound instead (docs/auth.md, "Widget keys").
 */
function checkWidgetKey(context: Context<AppEnvironment>, principal: Principal): void {
  const origin = context.req.header('origin');
  if (origin === undefined || !principal.origins.includes(origin)) {
    throw new OrioleError(
      'forbidden',
      origin === undefined
        ? 'This key is bound to web origins and is accepted only from a browser on one of them (no Origin header was sent)'
        : `This key is not accepted from ${origin.slice(0, 200)}; it is bound to other web origins`,
      { details: { origin: origin?.slice(0, 200) ?? null } },
    );
  }
  // From here on the response, a refusal included, is shared with that origin (cors.ts).
  context.set('keyOrigin', origin);
  const path = context.req.path;
  if (!isWidgetRoute(context.req.method, path)) {
    throw new OrioleError('forbidden', 'A key bound to web origins can only ask (POST /answer) and rate answers (POST /feedback)', {
      details: { allowed: widgetRoutes.map((route) => `${route.method} ${route.path}`) },
    });
  }
}

function satisfies(scope: Scope, required: Scope): boolean {
  return scope === 'admin' || scope === required;
}

/**
 * The key's principal from the cache, else from the database (then remembered, an unknown
 * key too). A database failure is not remembered: the next request asks again.
 */
async function cachedKeyPrincipal(database: Database, cache: ApiKeyCache, token: string, tokenHash: string): Promise<Principal | undefined> {
  const cached = cache.get(tokenHash);
  if (cached !== undefined) return cached ?? undefined;
  const principal = await keyPrincipal(database, token);
  cache.set(tokenHash, principal ?? null);
  return principal;
}

/**
 * Forgets every remembered key, so a key revoked or deleted through this app is refused on
 * the very next request (other processes notice within `apiKeyCacheTtlMs`).
 */
export function forgetCachedKeys(context: Context<AppEnvironment>): void {
  context.get('keyCache')?.clear();
}

async function keyPrincipal(database: Database, token: string): Promise<Principal | undefined> {
  const record = await findApiKey(database, token);
  if (!record) return undefined;
  const { scope, kbId, kbName, origins, ratePerMinute } = record;
  return { scope, kbId, kbName, keyId: record.id, origins, ratePerMinute };
}

function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '');
  return match?.[1];
}

function unauthorized(problem: 'missing' | 'invalid'): OrioleError {
  const message =
    problem === 'missing'
      ? 'This server needs an API key: send Authorization: Bearer <key> (oriole keys create makes one)'
      : 'The API key is not valid: it is unknown or was revoked';
  return new OrioleError('unauthorized', message);
}

function forbiddenKb(binding: KbBinding): OrioleError {
  return new OrioleError('forbidden', `This key is bound to knowledge base '${binding.kbName}' and cannot reach another`, {
    details: { kb: binding.kbName },
  });
}

/** Compares two SHA-256 digests (hex) in constant time, so neither the content nor the length of the admin key leaks through timing. */
function constantTimeEqual(given: string, expected: string): boolean {
  let difference = given.length ^ expected.length;
  for (let index = 0; index < expected.length; index++) difference |= given.charCodeAt(index) ^ expected.charCodeAt(index);
  return difference === 0;
}
