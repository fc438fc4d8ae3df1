/**
 * Host-key verification against an OpenSSH known_hosts file, following sshd(8)
 * "SSH_KNOWN_HOSTS FILE FORMAT" and OpenSSH's hostfile.c / match.c, so a host that
 * `ssh` would accept or refuse is accepted or refused here too.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { appendFile, mkdir, readFile, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

export type HostKeyVerdict =
  | { kind: 'match' }
  | { kind: 'unknown'; fingerprint: string; keyType: string }
  | {
      kind: 'mismatch';
      fingerprint: string;
      keyType: string;
      known: { fingerprint: string; keyType: string; file: string; line: number }[];
    }
  | { kind: 'revoked'; fingerprint: string; keyType: string; file: string; line: number };

export interface KnownHostsWarning {
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

/** A known_hosts file could not be read or written. `line` is 0 when no single line is to blame. */
export class KnownHostsError extends Error {
  override readonly name = 'KnownHostsError';
  constructor(
    message: string,
    readonly file: string,
    readonly line: number = 0,
    options?: { cause?: unknown },
  ) {
    super(line > 0 ? `${file}:${line}: ${message}` : `${file}: ${message}`, options);
  }
}

/** 'SHA256:' + unpadded base64 of the blob's SHA-256, as `ssh-keygen -l` prints it. */
export function fingerprint(key: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(key).digest('base64').replace(/=+$/, '');
}

/** The key type named inside the blob (its first SSH string), e.g. 'ssh-ed25519'. */
export function keyType(key: Buffer): string {
  if (key.length < 4) throw new RangeError('SSH key blob too short');
  const len = key.readUInt32BE(0);
  if (len === 0 || len > key.length - 4) throw new RangeError('SSH key blob has a bad type length');
  const type = key.subarray(4, 4 + len).toString('latin1');
  if (!/^[\x21-\x7e]+$/.test(type)) throw new RangeError('SSH key blob has a non-printable type');
  return type;
}

type HostField =
  | { kind: 'hashed'; salt: Buffer; hash: Buffer }
  | { kind: 'patterns'; patterns: { negated: boolean; glob: string }[] };

interface Entry {
  readonly marker: 'revoked' | 'cert-authority' | undefined;
  readonly hosts: HostField;
  readonly keyType: string;
  readonly key: Buffer;
  readonly line: number;
}

// OpenSSH's HMAC-SHA1 salt and digest are both exactly 20 bytes; other lengths are refused there.
const SHA1_LEN = 20;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export class KnownHosts {
  readonly warnings: readonly KnownHostsWarning[];
  readonly #entries: Entry[];
  readonly #warnings: KnownHostsWarning[];
  #index: Map<string, Entry[]> | undefined;
  #others: Entry[] = [];
  #indexed = -1;

  private constructor(readonly file: string) {
    this.#entries = [];
    this.#warnings = [];
    this.warnings = this.#warnings;
  }

  /**
   * Reads and parses `file`; a file that does not exist yet is an empty list (first use).
   * A run connects to many hosts with one file: it is parsed once, and again only when
   * its size or modification time changes (as `add` changes it).
   */
  static async load(file: string): Promise<KnownHosts> {
    let st: { mtimeMs: number; size: number };
    try {
      st = await stat(file);
    } catch {
      return KnownHosts.read(file);
    }
    const version = `${st.mtimeMs}:${st.size}`;
    const hit = loaded.get(file);
    if (hit?.version === version) return hit.parsed;
    const parsed = KnownHosts.read(file);
    loaded.set(file, { version, parsed });
    parsed.catch(() => loaded.delete(file));
    return parsed;
  }

  private static async read(file: string): Promise<KnownHosts> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if (errorCode(err) === 'ENOENT') return KnownHosts.parse('', file);
      throw new KnownHostsError(`cannot read known_hosts: ${errorMessage(err)}`, file, 0, { cause: err });
    }
    return KnownHosts.parse(text, file);
  }

  /** Parses known_hosts text; `file` names it in warnings and is where `add` appends. */
  static parse(text: string, file: string): KnownHosts {
    const kh = new KnownHosts(file);
    text.split('\n').forEach((raw, i) => {
      const result = parseLine(raw, i + 1);
      if (result === undefined) return;
      if (typeof result === 'string') kh.#warnings.push({ file, line: i + 1, message: result });
      else kh.#entries.push(result);
    });
    return kh;
  }

  /**
   * Entries that may name `name`, in file order: those listing it literally (looked up,
   * not scanned: a fleet's known_hosts has a line per host) and every hashed or wildcard one.
   */
  #candidates(name: string): Entry[] {
    if (this.#index === undefined || this.#indexed !== this.#entries.length) {
      this.#index = new Map();
      this.#others = [];
      for (const e of this.#entries) {
        const literal = e.hosts.kind === 'patterns' && e.hosts.patterns.every((p) => !p.negated && !/[*?]/.test(p.glob));
        if (!literal) {
          this.#others.push(e);
          continue;
        }
        for (const p of (e.hosts as Extract<HostField, { kind: 'patterns' }>).patterns) {
          const list = this.#index.get(p.glob) ?? [];
          if (!list.includes(e)) list.push(e);
          this.#index.set(p.glob, list);
        }
      }
      this.#indexed = this.#entries.length;
    }
    const found = [...(this.#index.get(name) ?? []), ...this.#others];
    return found.sort((a, b) => a.line - b.line);
  }

  check(host: string, port: number, key: Buffer): HostKeyVerdict {
    const type = keyType(key);
    const fp = fingerprint(key);

    // A revoked key is compromised, so it is refused for every host, not only the
    // hosts its line names (stricter than OpenSSH, which also requires the host to match).
    const revoked = this.#entries.find((e) => e.marker === 'revoked' && e.key.equals(key));
    if (revoked) return { kind: 'revoked', fingerprint: fp, keyType: type, file: this.file, line: revoked.line };

    const name = lookupName(host, port);
    // Certificates are not supported, so @cert-authority lines neither vouch for nor contradict a key.
    const mine = this.#candidates(name).filter((e) => e.marker === undefined && hostMatches(e.hosts, name));
    if (mine.some((e) => e.key.equals(key))) return { kind: 'match' };
    if (mine.length === 0) return { kind: 'unknown', fingerprint: fp, keyType: type };
    // Known keys of other types also count: accepting a new type could hide a MITM that
    // simply offers an algorithm we have no entry for.
    return {
      kind: 'mismatch',
      fingerprint: fp,
      keyType: type,
      known: mine.map((e) => ({ fingerprint: fingerprint(e.key), keyType: e.keyType, file: this.file, line: e.line })),
    };
  }

  /**
   * Appends `host key` (or its hashed form) to the file and to this list. A key that
   * already matches is not written again, so parallel first connections to the same
   * host leave a single line.
   */
  async add(host: string, port: number, key: Buffer, opts: { hash?: boolean } = {}): Promise<void> {
    const type = keyType(key);
    const name = lookupName(host, port);
    const badHost = invalidHostReason(host.toLowerCase());
    if (badHost) throw new KnownHostsError(`cannot add host ${JSON.stringify(host)}: ${badHost}`, this.file);

    return serialized(resolve(this.file), async () => {
      if (this.check(host, port, key).kind === 'match') return;

      const hosts: HostField = opts.hash
        ? hashedField(name, randomBytes(SHA1_LEN))
        : { kind: 'patterns', patterns: [{ negated: false, glob: name }] };
      const text = `${formatHostField(hosts, name)} ${type} ${key.toString('base64')}`;

      try {
        await mkdir(dirname(this.file), { recursive: true, mode: 0o700 });
        const existing = await readIfExists(this.file);
        // Without this, a file whose last line lacks its newline would get our line glued onto it.
        const prefix = existing !== '' && !existing.endsWith('\n') ? '\n' : '';
        const line = existing === '' ? 1 : existing.split('\n').length + (prefix ? 1 : 0);
        // One appendFile call per line: with the in-process queue lines never interleave.
        await appendFile(this.file, `${prefix}${text}\n`, { mode: 0o600 });
        this.#entries.push({ marker: undefined, hosts, keyType: type, key, line });
      } catch (err) {
        throw new KnownHostsError(`cannot add host key: ${errorMessage(err)}`, this.file, 0, { cause: err });
      }
    });
  }
}

/** The name OpenSSH looks up (and hashes): `host` on port 22, `[host]:port` otherwise; lower-cased like ssh does. */
function lookupName(host: string, port: number): string {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RangeError(`bad port ${port}`);
  const h = host.toLowerCase();
  return port === 22 ? h : `[${h}]:${port}`;
}

function invalidHostReason(host: string): string | undefined {
  if (host === '') return 'empty host name';
  if (/[\s,*?[\]]/.test(host)) return 'it contains whitespace, a comma, a wildcard or a bracket';
  if (/^[!|#@]/.test(host)) return 'it starts with a character known_hosts gives a meaning to';
  return undefined;
}

/** One line: an Entry, a warning message, or undefined for blank/comment lines. */
function parseLine(raw: string, line: number): Entry | string | undefined {
  const fields = raw.trim().split(/[ \t]+/);
  if (fields[0] === '' || fields[0]!.startsWith('#')) return undefined;

  let marker: Entry['marker'];
  if (fields[0]!.startsWith('@')) {
    const m = fields.shift()!;
    if (m === '@revoked') marker = 'revoked';
    else if (m === '@cert-authority') marker = 'cert-authority';
    else return `unknown marker ${m}`;
  }
  const [hostText, type, blobText] = fields;
  if (hostText === undefined || type === undefined || blobText === undefined) {
    return 'expected: [marker] hosts keytype base64-key [comment]';
  }
  const hosts = parseHostField(hostText);
  if (typeof hosts === 'string') return hosts;
  if (!BASE64.test(blobText)) return `key for ${type} is not base64`;
  const key = Buffer.from(blobText, 'base64');
  let inner: string;
  try {
    inner = keyType(key);
  } catch (err) {
    return `bad key blob: ${errorMessage(err)}`;
  }
  // OpenSSH refuses a line whose declared type disagrees with the blob (sshkey_read).
  if (inner !== type) return `key type ${type} does not match the key blob (${inner})`;
  return { marker, hosts, keyType: type, key, line };
}

function parseHostField(text: string): HostField | string {
  if (text.startsWith('|')) {
    // OpenSSH compares the hash with the whole field, so a hash in a comma list never matches.
    if (text.includes(',')) return 'a hashed host must be alone in the host field';
    const m = /^\|1\|([^|]+)\|([^|]+)$/.exec(text);
    if (!m) return 'bad hashed host (expected |1|salt|hash)';
    const salt = Buffer.from(m[1]!, 'base64');
    const hash = Buffer.from(m[2]!, 'base64');
    if (!BASE64.test(m[1]!) || !BASE64.test(m[2]!) || salt.length !== SHA1_LEN || hash.length !== SHA1_LEN) {
      return 'bad hashed host (salt and hash must be base64 of 20 bytes)';
    }
    return { kind: 'hashed', salt, hash };
  }
  const patterns = text
    .split(',')
    .filter((p) => p !== '' && p !== '!')
    .map((p) => (p.startsWith('!') ? { negated: true, glob: p.slice(1) } : { negated: false, glob: p }))
    .map(({ negated, glob }) => ({ negated, glob: glob.toLowerCase() }));
  if (patterns.length === 0) return 'empty host field';
  return { kind: 'patterns', patterns };
}

function hashedField(name: string, salt: Buffer): HostField {
  return { kind: 'hashed', salt, hash: createHmac('sha1', salt).update(name).digest() };
}

function formatHostField(hosts: HostField, name: string): string {
  return hosts.kind === 'hashed' ? `|1|${hosts.salt.toString('base64')}|${hosts.hash.toString('base64')}` : name;
}

/** OpenSSH match_pattern_list: any matching negated pattern vetoes the line, else any positive match wins. */
function hostMatches(hosts: HostField, name: string): boolean {
  if (hosts.kind === 'hashed') {
    return timingSafeEqual(createHmac('sha1', hosts.salt).update(name).digest(), hosts.hash);
  }
  let positive = false;
  for (const p of hosts.patterns) {
    if (!glob(p.glob, name)) continue;
    if (p.negated) return false;
    positive = true;
  }
  return positive;
}

/** `*` and `?` wildcards only (brackets are literal, as in OpenSSH); greedy with backtrack to the last star. */
function glob(pattern: string, s: string): boolean {
  let p = 0;
  let i = 0;
  let star = -1;
  let starI = 0;
  while (i < s.length) {
    if (p < pattern.length && (pattern[p] === '?' || pattern[p] === s[i])) {
      p++;
      i++;
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      starI = i;
    } else if (star >= 0) {
      p = star + 1;
      i = ++starI;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

// Appends for one file run one after another (keyed by absolute path, shared by every
// KnownHosts instance in the process), so parallel trust-on-first-use never mixes lines.
/** Parsed files by path, with the size and mtime they were read at. */
const loaded = new Map<string, { version: string; parsed: Promise<KnownHosts> }>();

const queues = new Map<string, Promise<void>>();

function serialized(key: string, task: () => Promise<void>): Promise<void> {
  const run = (queues.get(key) ?? Promise.resolve()).then(task);
  const tail = run.catch(() => undefined);
  queues.set(key, tail);
  void tail.then(() => {
    if (queues.get(key) === tail) queues.delete(key);
  });
  return run;
}

async function readIfExists(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return '';
    throw err;
  }
}

function errorCode(err: unknown): string | undefined {
  return err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
