/** One step into a JSON document: a key, or an index where the data holds a list. */
export type PathSegment = string | number;

/**
 * An ajv instancePath (a JSON pointer) → path segments, with indexes as numbers where
 * the data holds a list, so an error can be located in the YAML or JSON it came from.
 */
export function segmentsOf(pointer: string, data: unknown): PathSegment[] {
  if (pointer === '') return [];
  const out: PathSegment[] = [];
  let cur: unknown = data;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur) && /^\d+$/.test(key)) {
      out.push(Number(key));
      cur = (cur as unknown[])[Number(key)];
    } else {
      out.push(key);
      cur = isRecord(cur) ? cur[key] : undefined;
    }
  }
  return out;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
