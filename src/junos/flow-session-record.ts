import { childrenNamed, childText, type XmlNode } from '../xml/node.ts';
import { nonEmpty, parseUint, prune } from './values.ts';

/** One direction ("wing") of a flow session: `<flow-information>`. */
export interface FlowWing {
  /** "In" or "Out" as Junos writes it. */
  readonly direction: string;
  readonly sourceAddress?: string;
  readonly sourcePort?: number;
  readonly destinationAddress?: string;
  readonly destinationPort?: number;
  /** Protocol name or number as Junos writes it: tcp, udp, esp, ah, "0" (cp-session). */
  readonly protocol?: string;
  /** `<interface-name>`. */
  readonly interface?: string;
  readonly packets?: number;
  readonly bytes?: number;
}

/**
 * One `<flow-session>`. The convenience fields (protocol, sourceAddress, ...) come from
 * the In wing (the first wing when there is none). For AH and ESP sessions Junos lists
 * only the In wing: there `sourceAddress` is the remote IPsec peer and
 * `destinationAddress` the device's own gateway address.
 */
export interface FlowSession {
  readonly sessionId: number;
  /** `<status>`: "Normal", empty on cp-sessions (then undefined). */
  readonly status?: string;
  /** `<session-state>`: "Active" or "Backup"; chassis clusters only. */
  readonly state?: string;
  /** `<sess-state>`: "Valid", "Invalidated", ... */
  readonly validity?: string;
  /** Seconds left; null when Junos says "N/A" (ESP, PIM sessions) or gives none. */
  readonly timeout: number | null;
  /** `<application-name>` (junos-ike, junos-telnet, ...), when Junos names one. */
  readonly application?: string;
  /** `<dynamic-application-name>` (AppID), e.g. "junos:UNKNOWN". */
  readonly dynamicApplication?: string;
  /** `<policy>` as written, e.g. "p1/4", "N/A". */
  readonly policy?: string;
  readonly wings: readonly FlowWing[];
  readonly protocol?: string;
  readonly sourceAddress?: string;
  readonly sourcePort?: number;
  readonly destinationAddress?: string;
  readonly destinationPort?: number;
  readonly interface?: string;
  /** Cluster node (`<re-name>`), undefined on a standalone device. */
  readonly node?: string;
  /** SPU ("FPC0 PIC1"), undefined on single-SPU devices. */
  readonly spu?: string;
}

/** Reads a `<flow-session>`; undefined when it has no numeric session id to act on. */
export function readFlowSession(el: XmlNode, node: string | undefined, spu: string | undefined): FlowSession | undefined {
  const sessionId = parseUint(childText(el, 'session-identifier'));
  if (sessionId === undefined) return undefined;
  const wings = childrenNamed(el, 'flow-information').map(readWing);
  const main = wings.find((w) => w.direction === 'In') ?? wings[0];
  return prune({
    sessionId,
    status: nonEmpty(childText(el, 'status')),
    state: nonEmpty(childText(el, 'session-state')),
    validity: nonEmpty(childText(el, 'sess-state')),
    timeout: parseUint(childText(el, 'timeout')) ?? null,
    application: nonEmpty(childText(el, 'application-name')),
    dynamicApplication: nonEmpty(childText(el, 'dynamic-application-name')),
    policy: nonEmpty(childText(el, 'policy')),
    wings,
    protocol: main?.protocol,
    sourceAddress: main?.sourceAddress,
    sourcePort: main?.sourcePort,
    destinationAddress: main?.destinationAddress,
    destinationPort: main?.destinationPort,
    interface: main?.interface,
    node,
    spu,
  });
}

function readWing(el: XmlNode): FlowWing {
  return prune({
    direction: nonEmpty(childText(el, 'direction')) ?? '',
    sourceAddress: nonEmpty(childText(el, 'source-address')),
    sourcePort: parseUint(childText(el, 'source-port')),
    destinationAddress: nonEmpty(childText(el, 'destination-address')),
    destinationPort: parseUint(childText(el, 'destination-port')),
    protocol: nonEmpty(childText(el, 'protocol')),
    interface: nonEmpty(childText(el, 'interface-name')),
    packets: parseUint(childText(el, 'pkt-cnt')),
    bytes: parseUint(childText(el, 'byte-cnt')),
  });
}
