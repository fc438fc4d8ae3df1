import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { SaxesParser } from 'saxes';
import { childText, type XmlNode } from '../../../src/xml/node.ts';
import { XmlElementStream, parseString } from '../../../src/xml/element-stream.ts';
import type { DeviceState } from '../../../src/lab/device-state.ts';
import { handleRpc, type LabReply } from '../../../src/lab/dispatch.ts';
import { JUNOS_FIXTURES } from '../../helpers/fixtures.ts';

/** Helpers for the lab's unit tests: build RPC elements, read replies back with the project's own XML reader. */

export function fixture(name: string): string {
  return readFileSync(`${JUNOS_FIXTURES}/${name}`, 'utf8');
}

/** The element inside `<rpc>` from its XML text, as the server hands it to handleRpc. */
export function rpcNode(xml: string): XmlNode {
  const name = /^<([\w-]+)/.exec(xml.trim())?.[1];
  assert.ok(name, `no element in ${xml}`);
  let root: XmlNode | undefined;
  parseString({ items: new Set([name]), onElement: (n) => (root ??= n) }, xml);
  assert.ok(root);
  return root;
}

/** Sends an RPC given as XML text. */
export function call(dev: DeviceState, xml: string): LabReply {
  return handleRpc(dev, rpcNode(xml));
}

/** The content of a reply that must not be an error. */
export function contentOf(reply: LabReply): Iterable<string> {
  assert.equal(reply.kind, 'content', reply.kind === 'error' ? JSON.stringify(reply.errors) : '');
  return reply.kind === 'content' ? reply.chunks : [];
}

export function text(reply: LabReply): string {
  return [...contentOf(reply)].join('');
}

/** Wraps content the way the server does, so namespace prefixes resolve. */
export function wrap(content: string, nsVersion: string): string {
  return `<rpc-reply xmlns="urn:ietf:params:xml:ns:netconf:base:1.0" xmlns:junos="http://xml.juniper.net/junos/${nsVersion}/junos">\n${content}</rpc-reply>\n`;
}

/** Strict, namespace-aware well-formedness check over chunks (throws on the first error). */
export function assertWellFormed(chunks: Iterable<string>, nsVersion: string): void {
  const p = new SaxesParser({ xmlns: true });
  let failure: Error | undefined;
  p.on('error', (e) => (failure ??= e));
  p.write(`<rpc-reply xmlns="urn:ietf:params:xml:ns:netconf:base:1.0" xmlns:junos="http://xml.juniper.net/junos/${nsVersion}/junos">\n`);
  for (const c of chunks) {
    p.write(c);
    if (failure) throw failure;
  }
  p.write('</rpc-reply>');
  p.close();
  if (failure) throw failure;
}

export interface SeenSession {
  readonly node: string | undefined;
  readonly block: string | undefined;
  readonly id: number;
  readonly protocol: string;
  readonly source: string;
  readonly destination: string;
  readonly sourcePort: number;
  readonly destinationPort: number;
  readonly interfaces: string[];
  readonly element: XmlNode;
}

export interface SeenFlowReply {
  readonly sessions: SeenSession[];
  /** displayed-session-count of each block, with its node and label. */
  readonly blocks: { node: string | undefined; label: string | undefined; displayed: number }[];
}

/** Reads a flow-session reply (streamed chunk by chunk) the way a collector would. */
export function readFlowSessions(chunks: Iterable<string>): SeenFlowReply {
  const sessions: SeenSession[] = [];
  const blocks: SeenFlowReply['blocks'] = [];
  let node: string | undefined;
  let label: string | undefined;
  const stream = new XmlElementStream({
    items: new Set(['flow-session', 're-name', 'flow-fpc-pic-id', 'displayed-session-count']),
    onOpen: (name) => {
      if (name === 'flow-session-information') label = undefined;
    },
    onElement: (n) => {
      if (n.name === 're-name') node = n.text.trim();
      else if (n.name === 'flow-fpc-pic-id') label = n.text;
      else if (n.name === 'displayed-session-count') blocks.push({ node, label, displayed: Number(n.text.trim()) });
      else {
        const wings = n.children.filter((c) => c.name === 'flow-information');
        const inWing = wings[0];
        sessions.push({
          node,
          block: label,
          id: Number(childText(n, 'session-identifier')),
          protocol: childText(inWing, 'protocol') ?? '',
          source: childText(inWing, 'source-address') ?? '',
          destination: childText(inWing, 'destination-address') ?? '',
          sourcePort: Number(childText(inWing, 'source-port')),
          destinationPort: Number(childText(inWing, 'destination-port')),
          interfaces: wings.map((w) => childText(w, 'interface-name') ?? ''),
          element: n,
        });
      }
    },
  });
  for (const c of chunks) stream.write(c);
  stream.end();
  return { sessions, blocks };
}

/** AH sessions per source address, in order of first appearance (Map keeps insertion order). */
export function ahCountsByPeer(seen: SeenFlowReply): Map<string, number> {
  const counts = new Map<string, number>();
  for (const s of seen.sessions) if (s.protocol === 'ah') counts.set(s.source, (counts.get(s.source) ?? 0) + 1);
  return counts;
}

/** Peers ranked by count, ties by first appearance: how the on-box script picks its top talkers. */
export function ranked(counts: Map<string, number>): [string, number][] {
  return [...counts].sort((a, b) => b[1] - a[1]);
}

/** Distinct tunnel indexes of a gateway's SAs in order of first appearance, read from an SA reply. */
export function tunnelIndexesIn(chunks: Iterable<string>, gateway: string): number[] {
  const out: number[] = [];
  const stream = new XmlElementStream({
    items: new Set(['ipsec-security-associations']),
    onElement: (n) => {
      const ix = Number(childText(n, 'sa-tunnel-index'));
      if (childText(n, 'sa-remote-gateway') === gateway && !out.includes(ix)) out.push(ix);
    },
  });
  for (const c of chunks) stream.write(c);
  stream.end();
  return out;
}

/** First elements with a given local name from an XML text (fixture or reply). */
export function elements(xml: string, name: string): XmlNode[] {
  const out: XmlNode[] = [];
  parseString({ items: new Set([name]), onElement: (n) => out.push(n) }, xml);
  return out;
}

/** The element names of a subtree, depth first, each as its path below the subtree's root. */
export function shape(node: XmlNode, prefix = ''): string[] {
  return node.children.flatMap((c) => [`${prefix}${c.name}`, ...shape(c, `${prefix}${c.name}/`)]);
}

/**
 * Every element's path from the document's top, in document order, ignoring those inside
 * repeated items: the outline of a reply's structure, for comparing with a fixture.
 */
export function outline(xml: string, skipInside: ReadonlySet<string> = new Set()): string[] {
  const out: string[] = [];
  const stream = new XmlElementStream({
    items: skipInside,
    onOpen: (name, _attrs, path) => out.push([...path, name].join('/')),
    onElement: (n, path) => out.push([...path, n.name].join('/')),
  });
  stream.write(xml);
  stream.end();
  return out;
}
