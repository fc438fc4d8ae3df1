/**
 * The Junos RPCs runbook knows: their arguments, what kind of value each takes, and the
 * CLI command each stands for. One table serves the RPC builder (argument checks), the lab
 * (what it accepts, and its rpc-error for anything else), the playbook validator and the
 * CLI form shown in plans ("clear security ipsec security-associations index 67111733").
 */

/** What an argument accepts. */
export type ArgKind =
  /** Present or absent: `<summary/>`. */
  | 'flag'
  /** An unsigned integer (index, session id). */
  | 'uint'
  /** A TCP/UDP port, 0..65535. */
  | 'port'
  /** An IPv4 or IPv6 address. */
  | 'address'
  /** An IPv4 or IPv6 address with an optional /length. */
  | 'prefix'
  /** A protocol name (ah, esp, tcp, ...) or number. */
  | 'protocol'
  /** A chassis-cluster node: node0, node1, all, local, primary. */
  | 'node'
  /** Free text of a name (application, interface, vpn name). */
  | 'name';

export interface ArgSpec {
  readonly kind: ArgKind;
  /** The CLI words for this argument; '' for a positional value (peer-address in `clear security ike security-associations 4.0.0.2`). */
  readonly cli?: string;
  readonly description: string;
}

export interface RpcSpec {
  readonly name: string;
  /** The CLI command without its arguments. */
  readonly cli: string;
  /** True for RPCs that change device state: these are what a dry run never sends. */
  readonly changesState: boolean;
  readonly description: string;
  readonly args: Readonly<Record<string, ArgSpec>>;
  /** For an RPC that clears: what narrows it, and what it does when nothing does. */
  readonly narrowedBy?: Narrowing;
}

/**
 * Junos reads a clear with no selector as "clear them all": `<clear-ipsec-security-association/>`
 * clears every IPsec SA on the device. So a clear is sent only with one of its narrowing
 * arguments, or when the caller states the wide form (a plan action's `all: true`).
 */
export interface Narrowing {
  /** Any one of these, given, narrows the RPC to what it names. */
  readonly args: readonly string[];
  /** What the RPC does with none of them, for plans, tickets and prompts. */
  readonly wide: string;
}

const flowFilters: Record<string, ArgSpec> = {
  'session-identifier': { kind: 'uint', description: 'One session by its id' },
  protocol: { kind: 'protocol', description: 'IP protocol name or number (ah, esp, tcp, udp, icmp, ...)' },
  'source-prefix': { kind: 'prefix', description: 'Source address or prefix' },
  'destination-prefix': { kind: 'prefix', description: 'Destination address or prefix' },
  'source-port': { kind: 'port', description: 'Source port' },
  'destination-port': { kind: 'port', description: 'Destination port' },
  application: { kind: 'name', description: 'Application name (junos-ike, junos-http, ...)' },
  interface: { kind: 'name', description: 'Incoming or outgoing interface (ge-0/0/1.0, reth1.0, ...)' },
  node: { kind: 'node', description: 'Chassis-cluster node (node0, node1, all, local, primary)' },
};

const EVERY_FLOW_SESSION = 'clears every flow session on the device except tunnel and resource-manager sessions';

export const RPCS: Readonly<Record<string, RpcSpec>> = {
  'get-flow-session-information': {
    name: 'get-flow-session-information',
    cli: 'show security flow session',
    changesState: false,
    description: 'Flow sessions, one <flow-session-information> block per SPU',
    args: {
      ...flowFilters,
      summary: { kind: 'flag', description: 'Counts per SPU instead of sessions' },
      brief: { kind: 'flag', description: 'Brief output (the default)' },
      extensive: { kind: 'flag', description: 'Extensive output' },
    },
  },
  'get-security-associations-information': {
    name: 'get-security-associations-information',
    cli: 'show security ipsec security-associations',
    changesState: false,
    description: 'IPsec SAs: two per tunnel (inbound and outbound), with sa-tunnel-index and sa-remote-gateway',
    args: {
      index: { kind: 'uint', description: 'One tunnel by its index' },
      'vpn-name': { kind: 'name', description: 'One VPN by name' },
      brief: { kind: 'flag', description: 'Brief output (the default)' },
      detail: { kind: 'flag', description: 'Detailed output' },
      node: flowFilters.node,
    },
  },
  'get-ike-security-associations-information': {
    name: 'get-ike-security-associations-information',
    cli: 'show security ike security-associations',
    changesState: false,
    description: 'IKE SAs, one per peer',
    args: {
      'peer-address': { kind: 'address', cli: '', description: 'One peer by its address' },
      index: { kind: 'uint', description: 'One IKE SA by its index' },
      brief: { kind: 'flag', description: 'Brief output (the default)' },
      detail: { kind: 'flag', description: 'Detailed output' },
      node: flowFilters.node,
    },
  },
  'get-software-information': {
    name: 'get-software-information',
    cli: 'show version',
    changesState: false,
    description: 'Host name, model and Junos version',
    args: {
      brief: { kind: 'flag', description: 'Brief output' },
      detail: { kind: 'flag', description: 'Detailed output' },
    },
  },
  'clear-ike-security-association': {
    name: 'clear-ike-security-association',
    cli: 'clear security ike security-associations',
    changesState: true,
    description: 'Clears the IKE SA of a peer (or all IKE SAs when no peer is given)',
    narrowedBy: { args: ['peer-address', 'index'], wide: 'clears every IKE SA on the device' },
    args: {
      'peer-address': { kind: 'address', cli: '', description: 'The peer whose IKE SA is cleared' },
      index: { kind: 'uint', description: 'One IKE SA by its index' },
      node: flowFilters.node,
    },
  },
  'clear-ipsec-security-association': {
    name: 'clear-ipsec-security-association',
    cli: 'clear security ipsec security-associations',
    changesState: true,
    description: 'Clears the IPsec SAs of a tunnel by index (or all when no index is given)',
    narrowedBy: { args: ['index', 'vpn-name'], wide: 'clears every IPsec SA on the device' },
    args: {
      index: { kind: 'uint', description: 'The tunnel index whose SAs are cleared' },
      'vpn-name': { kind: 'name', description: 'One VPN by name' },
      node: flowFilters.node,
    },
  },
  'clear-flow-session': {
    name: 'clear-flow-session',
    cli: 'clear security flow session',
    changesState: true,
    description: 'Clears the flow sessions that match the filters; `all` clears every session except tunnel and resource-manager ones',
    narrowedBy: { args: Object.keys(flowFilters).filter((a) => a !== 'node'), wide: EVERY_FLOW_SESSION },
    args: {
      ...flowFilters,
      all: { kind: 'flag', description: 'Every session (not tunnel or resource-manager sessions)' },
    },
  },
  // Junos's own RPCs for `clear security flow session all` and `... session-identifier N`
  // (Juniper's JUNOS Perl method table, jkernel_usp_methods.pl); both answer with
  // <clear-flow-session-information>, as clear-flow-session does.
  'clear-flow-session-all': {
    name: 'clear-flow-session-all',
    cli: 'clear security flow session all',
    changesState: true,
    description: 'Clears every flow session except tunnel and resource-manager sessions (on a real device, the management session that sends it may end too)',
    // Nothing narrows it: it is always the wide form, and a playbook must say so.
    narrowedBy: { args: [], wide: EVERY_FLOW_SESSION },
    args: { node: flowFilters.node },
  },
  'clear-flow-session-by-session-identifier': {
    name: 'clear-flow-session-by-session-identifier',
    cli: 'clear security flow session session-identifier',
    changesState: true,
    description: 'Clears one flow session by its id',
    narrowedBy: { args: ['session-identifier'], wide: 'names no session: Junos may read it as every flow session on the device' },
    args: { 'session-identifier': { kind: 'uint', cli: '', description: 'The session id' }, node: flowFilters.node },
  },
  'get-configuration': {
    name: 'get-configuration',
    cli: 'show configuration | display xml',
    changesState: false,
    description: 'The candidate configuration as XML: the running one unless a change is in progress (after a commit they are the same)',
    args: {},
  },
};

export function rpcSpec(name: string): RpcSpec | undefined {
  return Object.hasOwn(RPCS, name) ? RPCS[name] : undefined;
}

/**
 * What a call does with none of its narrowing arguments given ("clears every IPsec SA on
 * the device"); undefined when one is given or the RPC narrows nothing. An argument is
 * given when present and not false (false leaves an argument out).
 */
export function wideEffect(name: string, args: Readonly<Record<string, unknown>>): string | undefined {
  const narrowing = rpcSpec(name)?.narrowedBy;
  if (!narrowing) return undefined;
  const given = (arg: string) => Object.hasOwn(args, arg) && args[arg] !== false && args[arg] !== undefined && args[arg] !== null;
  return narrowing.args.some(given) ? undefined : narrowing.wide;
}

/** Why a value does not fit an argument kind, or undefined when it does. */
export function checkArgValue(kind: ArgKind, value: string | true): string | undefined {
  if (kind === 'flag') return value === true || value === '' ? undefined : 'is a flag and takes no value';
  if (value === true || value === '') return 'needs a value';
  switch (kind) {
    case 'uint':
      return /^\d{1,10}$/.test(value) && Number(value) <= 4294967295 ? undefined : `'${value}' is not an unsigned integer`;
    case 'port':
      return /^\d{1,5}$/.test(value) && Number(value) <= 65535 ? undefined : `'${value}' is not a port (0-65535)`;
    case 'address':
      return isAddress(value) ? undefined : `'${value}' is not an IPv4 or IPv6 address`;
    case 'prefix': {
      const [addr, len, extra] = value.split('/');
      if (extra !== undefined || !isAddress(addr)) return `'${value}' is not an address or prefix`;
      if (len === undefined) return undefined;
      const max = addr.includes(':') ? 128 : 32;
      return /^\d{1,3}$/.test(len) && Number(len) <= max ? undefined : `'${value}' has a bad prefix length`;
    }
    case 'protocol':
      return /^([a-z][a-z0-9-]{0,31}|\d{1,3})$/.test(value) ? undefined : `'${value}' is not a protocol name or number`;
    case 'node':
      return /^(node\d|all|local|primary)$/.test(value) ? undefined : `'${value}' is not a cluster node (node0, node1, all, local, primary)`;
    case 'name':
      return /^[A-Za-z0-9][A-Za-z0-9_.:/@-]{0,127}$/.test(value) ? undefined : `'${value}' is not a valid name`;
  }
}

function isAddress(s: string): boolean {
  if (/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(s)) return s.split('.').every((o) => Number(o) <= 255);
  return /^[0-9a-fA-F:]+$/.test(s) && s.includes(':') && s.split('::').length <= 2;
}

/** The Junos CLI command an RPC call stands for. Arguments follow in the order given. */
export function cliForm(name: string, args: Readonly<Record<string, string | true>>): string {
  const spec = rpcSpec(name);
  const words = [spec ? spec.cli : name];
  for (const [arg, value] of Object.entries(args)) {
    const cli = spec?.args[arg]?.cli ?? arg;
    if (value === true) words.push(cli);
    else words.push(cli === '' ? value : `${cli} ${value}`);
  }
  return words.join(' ');
}
