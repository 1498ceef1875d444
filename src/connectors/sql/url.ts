/**
 * Database URLs (`postgres://user@host:5432/db`, `mysql://...`) parsed into plain fields. Isomorphic (lint uses it).
 * Sluice parses the URL itself instead of handing it to the driver so that a URL cannot silently change
 * settings the form shows elsewhere (pg lets `?sslmode=` override the TLS options, for one).
 */
export interface ServerAddress {
  host?: string;
  port?: number;
  database?: string;
  username?: string;
  password?: string;
}

export function parseDatabaseUrl(text: string, protocols: readonly string[]): ServerAddress {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`not a valid URL (expected ${protocols[0]}://user@host:port/database)`);
  }
  const protocol = url.protocol.replace(/:$/, '');
  if (!protocols.includes(protocol)) {
    throw new Error(`URL scheme "${protocol}:" is not one of ${protocols.map((p) => `${p}:`).join(', ')}`);
  }
  if (url.search !== '') {
    throw new Error(`URL parameters (${url.search}) are not supported: use the TLS and pool settings instead`);
  }
  const out: ServerAddress = {};
  if (url.hostname) out.host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (url.port) out.port = Number(url.port);
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (database) out.database = database;
  if (url.username) out.username = decodeURIComponent(url.username);
  if (url.password) out.password = decodeURIComponent(url.password);
  return out;
}

export interface ServerFields {
  url?: string;
  host: string;
  port: number;
  database?: string;
  username: string;
  password?: string;
}

/** The address to connect to: the URL's parts where it has them, the separate fields otherwise. */
export function resolveServer(c: ServerFields, protocols: readonly string[]): ServerFields {
  const fromUrl = c.url ? parseDatabaseUrl(c.url, protocols) : {};
  return {
    host: fromUrl.host ?? c.host,
    port: fromUrl.port ?? c.port,
    database: fromUrl.database ?? (c.database || undefined),
    username: fromUrl.username ?? c.username,
    password: c.password || fromUrl.password || undefined,
  };
}
