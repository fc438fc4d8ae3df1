/**
 * The data an expression sees, and what comes back out of it. Expressions get copies
 * made of null-prototype objects and arrays of plain values, so no path can lead from
 * data to a prototype, a constructor or a function of ours, and nothing an expression
 * does can change the engine's data.
 */

/**
 * Copies already made, by the original object. The engine registers a step's output once
 * and never changes it afterwards, while a filter evaluates once per record against a
 * scope holding every register: copying all of them for each record would make a filter
 * quadratic in the size of the collected tables.
 */
const copies = new WeakMap<object, unknown>();

/**
 * Lists longer than this inside an object are copied lazily, on first read. Low, since
 * every host's registers are copied into the sandbox once per host: a small device's 100
 * sessions were copied for each `{{ ah.count }}` a log line reads, on every host of a fleet.
 */
const LAZY_LIST = 16;

/** Keys whose assignment means something other than data to JavaScript. */
const UNSAFE_KEY = '__proto__';

/** A scope as expressions see it: a fresh null-prototype root over cached copies. */
export function sandboxScope(scope: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const root = Object.create(null) as Record<string, unknown>;
  for (const key of Object.keys(scope)) {
    if (key === UNSAFE_KEY) continue;
    const value = toSandbox(scope[key]);
    if (value !== undefined) root[key] = value;
  }
  return root;
}

export function toSandbox(value: unknown): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
    case 'undefined':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'bigint':
      return Number(value);
    case 'function':
    case 'symbol':
      return undefined;
  }
  if (value === null) return null;
  const obj = value as object;
  if (obj instanceof Date) return Number.isNaN(obj.getTime()) ? null : obj.toISOString();
  const cached = copies.get(obj);
  if (cached !== undefined) return cached;
  if (Array.isArray(obj)) {
    // Arrays stay extensible: JSONata marks arrays it returns (keepSingleton).
    const out: unknown[] = [];
    copies.set(obj, out);
    for (const element of obj as unknown[]) out.push(toSandbox(element) ?? null);
    return out;
  }
  const out = Object.create(null) as Record<string, unknown>;
  copies.set(obj, out);
  for (const key of Object.keys(obj)) {
    if (key === UNSAFE_KEY) continue;
    const original = (obj as Record<string, unknown>)[key];
    if (Array.isArray(original) && original.length > LAZY_LIST) {
      // A big list (a collect's records) is copied when an expression first reads it,
      // not whenever its register is in scope: `ah.count` must not copy a million sessions.
      let copy: unknown;
      Object.defineProperty(out, key, { enumerable: true, get: () => (copy ??= toSandbox(original)) });
      continue;
    }
    const copied = toSandbox(original);
    if (copied !== undefined) out[key] = copied;
  }
  return Object.freeze(out);
}

/**
 * A JSONata result as plain data: ordinary arrays and objects (without JSONata's
 * sequence markers), no functions.
 */
export function toPlain(value: unknown, seen = new Map<object, unknown>()): unknown {
  if (typeof value === 'function' || typeof value === 'symbol') return undefined;
  if (typeof value !== 'object' || value === null) return value;
  const prior = seen.get(value);
  if (prior !== undefined) return prior;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    seen.set(value, out);
    for (const element of value as unknown[]) {
      const plain = toPlain(element, seen);
      if (plain !== undefined) out.push(plain);
    }
    return out;
  }
  const record = value as Record<string, unknown>;
  // JSONata hands out its functions as objects carrying their implementation.
  if (record._jsonata_function === true || record._jsonata_lambda === true) return undefined;
  const out: Record<string, unknown> = {};
  seen.set(value, out);
  for (const key of Object.keys(record)) {
    const plain = toPlain(record[key], seen);
    // defineProperty: a "__proto__" key stays a key instead of replacing the prototype.
    if (plain !== undefined) Object.defineProperty(out, key, { value: plain, enumerable: true, writable: true, configurable: true });
  }
  return out;
}
