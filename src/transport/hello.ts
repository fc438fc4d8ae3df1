import { parseString } from '../xml/element-stream.ts';

export const NETCONF_NS = 'urn:ietf:params:xml:ns:netconf:base:1.0';
export const CAP_BASE_10 = 'urn:ietf:params:netconf:base:1.0';
export const CAP_BASE_11 = 'urn:ietf:params:netconf:base:1.1';
/** Junos 12.x and earlier announce base:1.0 by its namespace URI instead. */
const CAP_BASE_10_OLD = 'urn:ietf:params:xml:ns:netconf:base:1.0';

export interface Hello {
  readonly capabilities: string[];
  readonly sessionId: string | undefined;
}

/** Our hello (base:1.0 and base:1.1 by default), sent on its own before we read the server's. */
export function clientHello(capabilities: readonly string[] = [CAP_BASE_10, CAP_BASE_11]): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<hello xmlns="${NETCONF_NS}"><capabilities>` +
    capabilities.map((c) => `<capability>${c}</capability>`).join('') +
    `</capabilities></hello>`
  );
}

export class HelloError extends Error {
  override readonly name = 'HelloError';
}

/** Reads a `<hello>` (leading XML comments and declaration allowed, as Junos and yuma send them). */
export function parseHello(xml: string): Hello {
  const capabilities: string[] = [];
  let sessionId: string | undefined;
  let root: string | undefined;
  parseString(
    {
      items: new Set(['capability', 'session-id']),
      onOpen: (name, _attrs, path) => {
        if (path.length === 0) root = name;
      },
      onElement: (node) => {
        if (node.name === 'capability') capabilities.push(node.text.trim());
        else sessionId = node.text.trim();
      },
    },
    xml,
  );
  if (root !== 'hello') throw new HelloError(root ? `expected <hello>, got <${root}>` : 'empty hello');
  if (!capabilities.some((c) => c === CAP_BASE_10 || c === CAP_BASE_10_OLD || c === CAP_BASE_11)) {
    throw new HelloError(`hello offers no NETCONF base capability (got ${capabilities.length} capabilities)`);
  }
  return { capabilities, sessionId };
}

/** RFC 6242 §4.1: chunked framing when both peers announce base:1.1. */
export function negotiatedFraming(ours: readonly string[], theirs: readonly string[]): 'eom' | 'chunked' {
  return ours.includes(CAP_BASE_11) && theirs.includes(CAP_BASE_11) ? 'chunked' : 'eom';
}

/** The name of the first element of an RPC body, for messages and errors. */
export function rpcNameOf(body: string): string {
  const m = /<\s*([A-Za-z_][\w.:-]*)/.exec(body.replace(/<\?[\s\S]*?\?>|<!--[\s\S]*?-->/g, ''));
  return m ? m[1] : 'rpc';
}
