/**
 * `--redis redis://[USER:PASSWORD@]HOST:PORT[/DB]` (or rediss:// for TLS). The URL is the
 * only way runbook is told where Redis is; a password in it is a secret, so the URL is
 * shown with the password replaced (`redacted`). REDIS_PASSWORD in the environment is
 * used when the URL has none, so the password need not be on a command line at all.
 */

/** Where Redis is, as both ioredis and BullMQ take it. */
export interface RedisEndpoint {
  readonly host: string;
  readonly port: number;
  readonly db: number;
  readonly username?: string;
  readonly password?: string;
  readonly tls?: Record<string, never>;
}

export interface RedisTarget {
  /** For messages: the URL with any password replaced. */
  readonly shown: string;
  readonly options: RedisEndpoint;
}

export class RedisUrlError extends Error {
  override readonly name = 'RedisUrlError';
}

export function parseRedisUrl(text: string, env: NodeJS.ProcessEnv = process.env): RedisTarget {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new RedisUrlError(`not a URL: expected redis://HOST:PORT[/DB]`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw new RedisUrlError(`the scheme must be redis:// or rediss:// (got ${url.protocol}//)`);
  if (url.hostname === '') throw new RedisUrlError('no host: expected redis://HOST:PORT[/DB]');
  const port = url.port === '' ? 6379 : Number(url.port);
  const dbText = url.pathname.replace(/^\//, '');
  if (dbText !== '' && !/^\d+$/.test(dbText)) throw new RedisUrlError(`the database must be a number (got /${dbText})`);
  const password = url.password !== '' ? decodeURIComponent(url.password) : env.REDIS_PASSWORD || undefined;
  // A password shows as *** (redis://:***@host too, so the reader sees one was given).
  const shown = `${url.protocol}//${url.username || url.password ? `${url.username}${url.password ? ':***' : ''}@` : ''}${url.host}${dbText ? `/${dbText}` : ''}`;
  return {
    shown,
    options: {
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port,
      db: dbText === '' ? 0 : Number(dbText),
      ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
      ...(password !== undefined ? { password } : {}),
      ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
    },
  };
}
