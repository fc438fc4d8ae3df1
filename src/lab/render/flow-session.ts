import type { DeviceState } from '../device-state.ts';
import { formatIpv4 } from '../ipv4.ts';
import { SPU_ID_SPAN } from '../platform.ts';
import { configuredTimeout, remainingTimeout, sessionAge, sessionHash } from '../config/effects.ts';
import { mix32 } from '../rng.ts';
import { APPLICATIONS, NO_INTERFACE, SessionKind, protocolName } from '../session-table.ts';
import { esc, ind } from './xml.ts';

/**
 * One `<flow-session junos:style="brief">` as Junos 15.1X49 prints it (fixture
 * flow-session-esp-ike-mixed-15.1X49.xml): every field, pretty-printed, about 2.5 KB
 * for an AH session, because reply size is what the collect benchmarks measure.
 * AH and ESP sessions terminate on the device and have one wing (In), with the
 * fragment counters; two-wing sessions do not carry those counters.
 *
 * Values nobody filters on (packet counts, ages) come from a hash of the session id, so
 * they cost no memory and never change between reads. Timeouts follow the committed
 * configuration (config/effects.ts): tcp-initial-timeout for half-open TCP, an
 * application's inactivity-timeout for the UDP leaf sessions it matches.
 */
export function sessionRenderer(dev: DeviceState, level: number): (row: number) => string {
  const i0 = ind(level);
  const i1 = ind(level + 1);
  const i2 = ind(level + 2);
  const t = dev.sessions;
  const ifs = dev.interfaces;
  const ifNames = ifs.names.map(esc);
  const tokens = ifs.names.map((_, i) => (i === ifs.internal ? '0x7' : i === ifs.external ? '0x8' : '0x2'));
  const routes = ifs.names.map((_, i) => (i === ifs.internal ? '0xa0010' : i === ifs.external ? '0xb0010' : '0xfffb0006'));
  const stateLine = dev.spec.cluster ? `${i1}<session-state>Active</session-state>\n` : '';
  const local = formatIpv4(dev.localGateway);
  const upstream = formatIpv4(dev.upstreamGateway);
  const frags =
    `${i2}<recv-ipv4-post-frags-counter>0</recv-ipv4-post-frags-counter>\n` +
    `${i2}<gen-ipv4-post-frags-counter>0</gen-ipv4-post-frags-counter>\n` +
    `${i2}<recv-ipv4-pre-frags-counter>0</recv-ipv4-pre-frags-counter>\n` +
    `${i2}<ipv4-tx-to-tunnel-frags>0</ipv4-tx-to-tunnel-frags>\n` +
    `${i2}<gen-ipv4-pre-frags-counter>0</gen-ipv4-pre-frags-counter>\n` +
    `${i2}<recv-ipv6-pre-frags-counter>0</recv-ipv6-pre-frags-counter>\n` +
    `${i2}<ipv6-tx-to-tunnel-frags>0</ipv6-tx-to-tunnel-frags>\n` +
    `${i2}<gen-ipv6-pre-frags-counter>0</gen-ipv6-pre-frags-counter>\n`;
  // SRX5000 wings name the session's twin on the central point (fixtures flow-session-multi-spu-nat-18.1,
  // flow-session-cluster-multi-spu-*); branch models print no such field.
  const spuCount = Math.max(1, dev.spec.spus);
  const dcp = (h: number): string =>
    dev.platform.highEnd ? `${i2}<dcp-session-id>${(1 + (h % spuCount)) * SPU_ID_SPAN + ((h >>> 7) % 1_000_000)}</dcp-session-id>\n` : '';
  const tail = (pkts: number, bytes: number, dcpHash: number) =>
    `${i2}<port-sequence>0</port-sequence>\n` +
    `${i2}<fin-sequence>0</fin-sequence>\n` +
    `${i2}<fin-state>0</fin-state>\n` +
    `${i2}<seq-ack-diff>0</seq-ack-diff>\n` +
    `${i2}<pkt-cnt>${pkts}</pkt-cnt>\n` +
    `${i2}<byte-cnt>${bytes}</byte-cnt>\n` +
    dcp(dcpHash) +
    `${i1}</flow-information>\n`;

  /** One wing; `gateway` is the next hop toward where the packets of this wing go. */
  const wing = (
    direction: 'In' | 'Out',
    src: string,
    sport: number,
    dst: string,
    dport: number,
    proto: string,
    iface: number,
    flag: string,
    route: string,
    gateway: string,
    tunnel: number,
  ): string =>
    `${i1}<flow-information junos:style="brief">\n` +
    `${i2}<direction>${direction}</direction>\n` +
    `${i2}<source-address>${src}</source-address>\n` +
    `${i2}<source-port>${sport}</source-port>\n` +
    `${i2}<destination-address>${dst}</destination-address>\n` +
    `${i2}<destination-port>${dport}</destination-port>\n` +
    `${i2}<protocol>${proto}</protocol>\n` +
    `${i2}<conn-tag>0x0</conn-tag>\n` +
    `${i2}<interface-name>${ifNames[iface]}</interface-name>\n` +
    `${i2}<session-token>${tokens[iface]}</session-token>\n` +
    `${i2}<flag>${flag}</flag>\n` +
    `${i2}<route>${route}</route>\n` +
    `${i2}<gateway>${gateway}</gateway>\n` +
    `${i2}<tunnel-information>${tunnel}</tunnel-information>\n`;

  const settings = dev.flowSettings;
  return (row: number): string => {
    const kind = t.kind[row] as SessionKind;
    const id = t.id[row];
    const h = sessionHash(id, dev.salt);
    const terminating = kind === SessionKind.ah || kind === SessionKind.esp;
    const age = sessionAge(kind, h);
    const head = HEADS[kind];
    const app = APPLICATIONS[t.app[row]];
    const configured = configuredTimeout(kind, t.dstPort[row], settings);
    const timeout = String(remainingTimeout(kind, age, configured));
    const src = formatIpv4(t.src[row]);
    const dst = formatIpv4(t.dst[row]);
    const proto = protocolName(t.protocol[row]);
    const pktsIn = terminating ? (h >>> 8) % 6 : kind === SessionKind.tcpInit ? 1 + ((h >>> 8) % 3) : 3 + ((h >>> 8) % 400);
    const bytesIn = pktsIn * (terminating ? 152 : 60 + ((h >>> 20) % 900));
    const ifIn = t.ifIn[row];
    const ifOut = t.ifOut[row];
    const tunnelSlot = t.tunnel[row];
    const viaTunnel = kind === SessionKind.tcpViaTunnel;

    let s =
      `${i0}<flow-session junos:style="brief">\n` +
      `${i1}<session-identifier>${id}</session-identifier>\n` +
      `${i1}<status>Normal</status>\n` +
      stateLine +
      `${i1}<session-flag>${head.sessionFlag}</session-flag>\n` +
      `${i1}<policy>${head.policy}</policy>\n` +
      `${i1}<nat-source-pool-name>Null</nat-source-pool-name>\n` +
      (app.name === '' ? '' : `${i1}<application-name>${app.name}</application-name>\n${i1}<application-value>${app.value}</application-value>\n`) +
      `${i1}<dynamic-application-name>junos:UNKNOWN</dynamic-application-name>\n` +
      `${i1}<encryption-traffic-name> Unknown</encryption-traffic-name>\n` +
      `${i1}<application-traffic-control-rule-set-name>INVALID</application-traffic-control-rule-set-name>\n` +
      `${i1}<application-traffic-control-rule-name>INVALID</application-traffic-control-rule-name>\n` +
      `${i1}<configured-timeout>${configured}</configured-timeout>\n` +
      `${i1}<timeout>${timeout}</timeout>\n` +
      `${i1}<sess-state>Valid</sess-state>\n` +
      `${i1}<logical-system></logical-system>\n` +
      `${i1}<wan-acceleration></wan-acceleration>\n` +
      `${i1}<start-time>${dev.uptime - age}</start-time>\n` +
      `${i1}<duration>${age}</duration>\n` +
      `${i1}<session-mask>0</session-mask>\n`;

    const inGateway = ifIn === ifs.external && !viaTunnel ? upstream : src;
    const inRoute = viaTunnel ? '0x0' : routes[ifIn];
    s += wing('In', src, t.srcPort[row], dst, t.dstPort[row], proto, ifIn, head.flagIn, inRoute, inGateway, viaTunnel ? dev.tunnels[tunnelSlot].index : 0);
    if (terminating) return s + frags + tail(pktsIn, bytesIn, h) + `${i0}</flow-session>\n`;
    s += tail(pktsIn, bytesIn, h);
    if (ifOut !== NO_INTERFACE) {
      const outGateway = ifOut === ifs.local ? local : ifOut === ifs.external ? upstream : src;
      // A half-open session has seen SYNs only: nothing came back yet.
      const pktsOut = kind === SessionKind.tcpInit ? 0 : Math.max(1, pktsIn - ((h >>> 4) % 3));
      const bytesOut = pktsOut * (60 + ((h >>> 12) % 1200));
      s += wing('Out', dst, t.dstPort[row], src, t.srcPort[row], proto, ifOut, head.flagOut, routes[ifOut], outGateway, 0) + tail(pktsOut, bytesOut, mix32(h));
    }
    return s + `${i0}</flow-session>\n`;
  };
}

interface SessionHead {
  readonly sessionFlag: string;
  readonly policy: string;
  readonly flagIn: string;
  readonly flagOut: string;
}

/** Per-kind constants, taken from the matching sessions of the 15.1X49 fixture; indexed by SessionKind. */
const HEADS: readonly SessionHead[] = [
  { sessionFlag: '0x10000/0x0/0x1', policy: 'N/A', flagIn: '0x100621', flagOut: '' },
  { sessionFlag: '0x10000/0x0/0x1', policy: 'N/A', flagIn: '0x100621', flagOut: '' },
  { sessionFlag: '0x40/0x0/0x23', policy: 'self-traffic-policy/1', flagIn: '0x21', flagOut: '0x30' },
  { sessionFlag: '0x40/0x0/0x8003', policy: 'trust-to-untrust/4', flagIn: '0x1021', flagOut: '0x1020' },
  { sessionFlag: '0x40/0x0/0x8003', policy: 'vpn-to-trust/6', flagIn: '0x401021', flagOut: '0x1020' },
  { sessionFlag: '0x40/0x0/0x8003', policy: 'trust-to-untrust/4', flagIn: '0x21', flagOut: '0x20' },
  { sessionFlag: '0x80000040/0x0/0x800003', policy: 'trust-to-untrust/4', flagIn: '0x400021', flagOut: '0x20' },
  { sessionFlag: '0x40/0x0/0x8003', policy: 'vpn-to-trust/6', flagIn: '0x1021', flagOut: '0x1020' },
];
