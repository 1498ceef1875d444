/**
 * Route paths for http-in: literal segments, `:name` parameters (one segment each) and a final `*` (the rest of the
 * path, as parameter `*`). `/hooks/:source/events`, `/files/*`. Matching is exact per segment; a trailing slash is
 * ignored. Percent-encoded parameter values are decoded.
 */

export interface RoutePattern {
  readonly source: string;
  /** The parameters of `path`, or undefined when it does not match. */
  match(path: string): Record<string, string> | undefined;
}

/** Why a route path is not usable, or undefined. */
export function routePathProblem(path: string): string | undefined {
  if (!path.startsWith('/')) return `"${path}" must start with "/"`;
  if (/[?#\s]/.test(path)) return `"${path}" holds "?", "#" or white space; the query string is not part of a route`;
  const parts = splitPath(path);
  const names = new Set<string>();
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (p === '*' && i !== parts.length - 1) return `"*" may only be the last segment of "${path}"`;
    if (p.startsWith(':')) {
      const name = p.slice(1);
      if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(name)) return `":${name}" in "${path}" is not a parameter name`;
      if (names.has(name)) return `parameter ":${name}" appears twice in "${path}"`;
      names.add(name);
    }
  }
  return undefined;
}

function splitPath(path: string): string[] {
  return path.split('/').filter((s) => s !== '');
}

/** Joins a listener's base path and a node's path: `/hooks` + `/github` = `/hooks/github`. */
export function joinPaths(base: string, path: string): string {
  const b = base.replace(/\/+$/, '');
  return `${b}${path.startsWith('/') ? '' : '/'}${path}` || '/';
}

export function compileRoute(path: string): RoutePattern {
  const bad = routePathProblem(path);
  if (bad) throw new Error(bad);
  const parts = splitPath(path);
  const rest = parts.at(-1) === '*';
  const fixed = rest ? parts.slice(0, -1) : parts;
  // A route without parameters: the common exact path is one string comparison, not a split.
  const literal = fixed.some((p) => p.startsWith(':')) || rest ? undefined : `/${fixed.join('/')}`;
  return {
    source: path,
    match(requestPath) {
      if (literal !== undefined && (requestPath === literal || requestPath === `${literal}/`)) return {};
      const segs = splitPath(requestPath);
      if (rest ? segs.length < fixed.length : segs.length !== fixed.length) return undefined;
      const params: Record<string, string> = {};
      for (let i = 0; i < fixed.length; i++) {
        const p = fixed[i];
        const s = segs[i];
        if (p.startsWith(':')) {
          const v = decode(s);
          if (v === undefined) return undefined;
          params[p.slice(1)] = v;
        } else if (p !== s) return undefined;
      }
      if (rest) {
        const v = decode(segs.slice(fixed.length).join('/'));
        if (v === undefined) return undefined;
        params['*'] = v;
      }
      return params;
    },
  };
}

function decode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
