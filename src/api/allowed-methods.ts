import type { RouterRoute } from 'hono/types';

/**
 * The methods the app serves a path with, for a 405's `Allow` header: a request to a
 * path that exists with another method is told which, rather than that nothing is there.
 */
export function allowedMethodsFor(routes: readonly RouterRoute[]): (path: string) => string[] {
  let patterns: { method: string; matches: RegExp }[] | undefined;
  return (path) => {
    patterns ??= routes
      .filter((route) => route.method !== 'ALL' && !route.path.includes('*'))
      .map((route) => ({ method: route.method, matches: patternOf(route.path) }));
    const methods = new Set(patterns.filter((pattern) => pattern.matches.test(path)).map((pattern) => pattern.method));
    // Hono answers HEAD with the GET handler.
    if (methods.has('GET')) methods.add('HEAD');
    return [...methods].sort();
  };
}

function patternOf(routePath: string): RegExp {
  const escaped = routePath
    .split('/')
    .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${escaped}/?$`);
}
