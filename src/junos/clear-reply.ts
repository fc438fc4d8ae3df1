import type { XmlNode } from '../xml/node.ts';
import type { Extractor } from './extractor.ts';
import { NodeScopedExtractor } from './node-context.ts';
import { nonEmpty } from './values.ts';

/**
 * Replies to the clear RPCs.
 *
 * clear-ike-security-association and clear-ipsec-security-association return no
 * content: an empty `<rpc-reply/>`, whitespace, or `<ok/>` (Juniper documents them as
 * returning nothing; Juniper's generated method tables say "Returns: <none>").
 *
 * clear-flow-session prints "N active sessions cleared" (once per node on a cluster, as
 * the CLI reference shows). No capture of its XML form was found: Juniper's generated
 * method table (netconf-perl, jkernel_usp_methods.pl) only names the reply element,
 * `<clear-flow-session-information>`. We therefore read that element (and `<output>`,
 * where Junos puts text-only command output) as text, line by line, and take the count
 * from each "N active sessions cleared" sentence. Whatever the inner markup turns out to
 * be, the sentence's text is still found, so the count is not guessed from element names.
 * The one element name read is the lab's `<active-sessions-cleared>N</...>` (see
 * src/lab/render/clear-flow.ts), whose number is the sentence's N.
 */

export interface ClearResult {
  /** Sessions cleared, summed over nodes; undefined when the reply states no count (IKE/IPsec). */
  readonly cleared?: number;
  /** Each non-empty line of text, prefixed "node0: " on a cluster. */
  readonly messages: string[];
}

const CLEARED = /^(\d+)\s+active\s+sessions?\s+cleared\b/i;

export function clearReply(): Extractor<ClearResult> {
  return new ClearReplyExtractor();
}

class ClearReplyExtractor extends NodeScopedExtractor<ClearResult> {
  private readonly messages: string[] = [];
  private cleared: number | undefined;

  constructor() {
    super(['clear-flow-session-information', 'output']);
  }

  protected onItem(el: XmlNode): void {
    // The lab's markup (a count element named after the CLI sentence), said as the CLI says it.
    for (const c of descendants(el)) {
      const n = c.name === 'active-sessions-cleared' ? /^\s*(\d+)\s*$/.exec(c.text) : null;
      if (!n) continue;
      this.cleared = (this.cleared ?? 0) + Number(n[1]);
      const line = `${n[1]} active sessions cleared`;
      this.messages.push(this.nodes.node === undefined ? line : `${this.nodes.node}: ${line}`);
      c.text = '';
    }
    for (const line of textLines(el)) {
      const m = CLEARED.exec(line);
      if (m) this.cleared = (this.cleared ?? 0) + Number(m[1]);
      this.messages.push(this.nodes.node === undefined ? line : `${this.nodes.node}: ${line}`);
    }
  }

  result(): ClearResult {
    return this.cleared === undefined ? { messages: this.messages } : { cleared: this.cleared, messages: this.messages };
  }
}

function* descendants(el: XmlNode): Generator<XmlNode> {
  for (const c of el.children) {
    yield c;
    yield* descendants(c);
  }
}

/** Trimmed non-empty lines of an element's text and its descendants', in document order. */
function textLines(el: XmlNode): string[] {
  const lines = el.text.split(/\r?\n/).flatMap((l) => nonEmpty(l) ?? []);
  for (const c of el.children) lines.push(...textLines(c));
  return lines;
}
