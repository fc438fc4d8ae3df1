import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { createLabBackend } from '../../src/lab/backend.ts';
import { NETCONF_NS } from '../../src/transport/hello.ts';
import type { XmlNode } from '../../src/xml/node.ts';

/** Which lab device renders the reply. The reply section serves the same device. */
export interface ReplySource {
  readonly scenario: string;
  readonly seed: number;
  /** Override of the scenario's peer count; the scenario's own rule when absent. */
  readonly peers?: number;
}

/** An SRX5800 with 4 SPUs (`large`), resized by its AH session count. */
export const LARGE_DEVICE: ReplySource = { scenario: 'large', seed: 7 };

export interface GeneratedReply {
  readonly file: string;
  readonly sessions: number;
  readonly bytes: number;
  /** Building the device and rendering and writing the reply: what the lab needs to serve it. */
  readonly ms: number;
}

/**
 * Writes the reply a lab device sends to `get-flow-session-information protocol ah`,
 * `<rpc-reply>` wrapper included, as the lab's NETCONF session streams it (less the
 * framing), so that the parser section reads a file and rendering costs nothing in its
 * figures.
 */
export async function writeFlowSessionReply(file: string, source: ReplySource, ahSessions: number): Promise<GeneratedReply> {
  const started = performance.now();
  const backend = createLabBackend({
    name: 'bench-srx',
    scenario: source.scenario,
    seed: source.seed,
    overrides: { ahSessions, ...(source.peers !== undefined ? { peers: source.peers } : {}) },
  });
  const rpc: XmlNode = { name: 'get-flow-session-information', attrs: {}, children: [{ name: 'protocol', attrs: {}, children: [], text: 'ah' }], text: '' };
  const answer = backend.answer(rpc);
  if (answer.kind !== 'content') throw new Error(`the lab refused the RPC: ${answer.xml}`);
  const out = createWriteStream(file);
  let bytes = 0;
  const write = async (s: string) => {
    bytes += Buffer.byteLength(s);
    if (!out.write(s)) await once(out, 'drain');
  };
  await write(`<rpc-reply xmlns="${NETCONF_NS}" xmlns:junos="http://xml.juniper.net/junos/${backend.junosVersion}/junos" message-id="1">\n`);
  for (const chunk of answer.chunks) await write(chunk);
  await write('</rpc-reply>\n');
  out.end();
  await once(out, 'close');
  return { file, sessions: ahSessions, bytes, ms: performance.now() - started };
}
