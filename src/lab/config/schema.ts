/**
 * The part of the Junos configuration schema the lab knows: the statements the shipped
 * playbooks touch and the ones a scenario's initial configuration holds. One table
 * drives the set/text/XML parsers, the three renderers and the diff, so adding a
 * statement here is all it takes for it to load, show and compare.
 *
 * Ranges are Junos's own (security flow statement reference pages): tcp-initial-timeout
 * 4..300, early-ageout 1..65535, the watermarks 0..100 percent.
 */

/** What a leaf, leaf-list entry or list key accepts. */
export type ValueType =
  /** An integer in a range; `keywords` are words also accepted (inactivity-timeout never). */
  | { readonly kind: 'integer'; readonly min: number; readonly max: number; readonly keywords?: readonly string[] }
  /** One of a fixed set of words, or an integer in a range (protocol udp / protocol 17). */
  | { readonly kind: 'enum'; readonly values: readonly string[]; readonly numeric?: { readonly min: number; readonly max: number } }
  /** A port number, a range `5000-5010`, or a Junos port name (http, domain, ...). */
  | { readonly kind: 'port' }
  /** An IPv4 address with prefix length (interface addresses). */
  | { readonly kind: 'ipv4-prefix' }
  /** A name: one token, no spaces. */
  | { readonly kind: 'name' }
  /** Free text (host-name, description); quoted when it holds spaces. */
  | { readonly kind: 'text' };

/** One key of a list entry: the first follows the list's keyword, later ones their own word (`to-zone B`). */
export interface KeySchema {
  /** The word before this key in text and set form; absent for the first key. */
  readonly word?: string;
  /** Element holding the key in XML (`name`, `from-zone-name`). */
  readonly xml: string;
  readonly type: ValueType;
}

interface Base {
  /** The keyword in text and set form; for an implicit list, the name the tree uses. */
  readonly name: string;
  /** The element name in Junos XML. */
  readonly xml: string;
}

export interface ContainerSchema extends Base {
  readonly kind: 'container';
  readonly children: readonly StatementSchema[];
  /** Written on its children's lines in text form: `family inet {`, not `family { inet {`. */
  readonly flat?: boolean;
}

/** Named entries (application NAME, from-zone A to-zone B, unit 0). */
export interface ListSchema extends Base {
  readonly kind: 'list';
  readonly keys: readonly KeySchema[];
  readonly children: readonly StatementSchema[];
  /** Entries are written by key alone, without a keyword (`interfaces { ge-0/0/0 { ... } }`). */
  readonly implicit?: boolean;
}

export interface LeafSchema extends Base {
  readonly kind: 'leaf';
  readonly type: ValueType;
}

/** A statement that is there or not: `rst-invalidate-session;`, `permit;`. */
export interface FlagSchema extends Base {
  readonly kind: 'flag';
}

/** Several values of one statement: `application [ junos-http junos-https ];`. */
export interface LeafListSchema extends Base {
  readonly kind: 'leaf-list';
  readonly type: ValueType;
}

export type StatementSchema = ContainerSchema | ListSchema | LeafSchema | FlagSchema | LeafListSchema;
/** Statements that hold other statements. */
export type ParentSchema = ContainerSchema | ListSchema;

const NAME: ValueType = { kind: 'name' };
const TEXT: ValueType = { kind: 'text' };

function container(name: string, children: readonly StatementSchema[], opts: { flat?: boolean } = {}): ContainerSchema {
  return { kind: 'container', name, xml: name, children, ...(opts.flat ? { flat: true } : {}) };
}

function list(name: string, keys: readonly KeySchema[], children: readonly StatementSchema[], opts: { xml?: string; implicit?: boolean } = {}): ListSchema {
  return { kind: 'list', name, xml: opts.xml ?? name, keys, children, ...(opts.implicit ? { implicit: true } : {}) };
}

function leaf(name: string, type: ValueType): LeafSchema {
  return { kind: 'leaf', name, xml: name, type };
}

function flag(name: string): FlagSchema {
  return { kind: 'flag', name, xml: name };
}

function leafList(name: string, type: ValueType): LeafListSchema {
  return { kind: 'leaf-list', name, xml: name, type };
}

function int(min: number, max: number, keywords?: readonly string[]): ValueType {
  return { kind: 'integer', min, max, ...(keywords ? { keywords } : {}) };
}

const named = (type: ValueType = NAME): KeySchema[] => [{ xml: 'name', type }];

/** IP protocol names `set applications application X protocol` takes, besides 0..255. */
export const APPLICATION_PROTOCOLS = ['ah', 'egp', 'esp', 'gre', 'icmp', 'icmp6', 'igmp', 'ipip', 'ospf', 'pim', 'rsvp', 'sctp', 'tcp', 'udp'] as const;

const POLICY = list('policy', named(), [
  container('match', [leafList('source-address', NAME), leafList('destination-address', NAME), leafList('application', NAME)]),
  container('then', [flag('permit'), flag('deny'), flag('reject'), flag('count')]),
]);

/** The root: `<configuration>`, `[edit]`. */
export const CONFIG_SCHEMA: ContainerSchema = container('configuration', [
  container('system', [leaf('host-name', TEXT)]),
  container('interfaces', [
    list(
      'interface',
      named(),
      [
        leaf('description', TEXT),
        list('unit', named(int(0, 16385)), [leaf('description', TEXT), container('family', [container('inet', [list('address', named({ kind: 'ipv4-prefix' }), [])])], { flat: true })]),
      ],
      { implicit: true },
    ),
  ]),
  container('security', [
    container('flow', [
      container('aging', [leaf('early-ageout', int(1, 65535)), leaf('high-watermark', int(0, 100)), leaf('low-watermark', int(0, 100))]),
      container('tcp-session', [
        flag('no-syn-check'),
        flag('no-syn-check-in-tunnel'),
        flag('no-sequence-check'),
        flag('rst-invalidate-session'),
        flag('fin-invalidate-session'),
        flag('strict-syn-check'),
        leaf('tcp-initial-timeout', int(4, 300)),
      ]),
    ]),
    container('policies', [list('from-zone', [{ xml: 'from-zone-name', type: NAME }, { word: 'to-zone', xml: 'to-zone-name', type: NAME }], [POLICY], { xml: 'policy' })]),
  ]),
  container('applications', [
    list('application', named(), [
      leaf('protocol', { kind: 'enum', values: APPLICATION_PROTOCOLS, numeric: { min: 0, max: 255 } }),
      leaf('source-port', { kind: 'port' }),
      leaf('destination-port', { kind: 'port' }),
      leaf('inactivity-timeout', int(4, 86400, ['never'])),
    ]),
  ]),
]);

/** The statement a parent holds under a keyword (implicit lists are not found by keyword). */
export function childByName(parent: ParentSchema, name: string): StatementSchema | undefined {
  return parent.children.find((c) => c.name === name && !(c.kind === 'list' && c.implicit));
}

/** The statement a parent holds under an XML element name. */
export function childByXml(parent: ParentSchema, xml: string): StatementSchema | undefined {
  return parent.children.find((c) => c.xml === xml);
}

/** The parent's list whose entries are written by key alone, if it has one. */
export function implicitList(parent: ParentSchema): ListSchema | undefined {
  return parent.children.find((c): c is ListSchema => c.kind === 'list' && c.implicit === true);
}

/** Well-known port names Junos accepts in `destination-port`. */
export const PORT_NAMES: Readonly<Record<string, number>> = {
  ftp: 21,
  ssh: 22,
  telnet: 23,
  smtp: 25,
  domain: 53,
  http: 80,
  ntp: 123,
  snmp: 161,
  bgp: 179,
  https: 443,
  syslog: 514,
};

/** Why a value does not fit its type, in Junos's words; undefined when it fits. */
export function checkValue(type: ValueType, value: string): string | undefined {
  switch (type.kind) {
    case 'integer': {
      if (type.keywords?.includes(value)) return undefined;
      if (!/^-?\d+$/.test(value)) return `invalid value '${value}': number expected`;
      const n = Number(value);
      return n >= type.min && n <= type.max ? undefined : `Value ${value} is not within range (${type.min}..${type.max})`;
    }
    case 'enum': {
      if (type.values.includes(value)) return undefined;
      if (type.numeric && /^\d+$/.test(value)) {
        const n = Number(value);
        return n >= type.numeric.min && n <= type.numeric.max ? undefined : `Value ${value} is not within range (${type.numeric.min}..${type.numeric.max})`;
      }
      return `invalid value '${value}'`;
    }
    case 'port': {
      if (Object.hasOwn(PORT_NAMES, value)) return undefined;
      const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(value);
      if (!m) return `invalid port '${value}'`;
      const [lo, hi] = [Number(m[1]), Number(m[2] ?? m[1])];
      if (lo > 65535) return `Value ${lo} is not within range (0..65535)`;
      if (hi > 65535) return `Value ${hi} is not within range (0..65535)`;
      return lo <= hi ? undefined : `invalid port range '${value}'`;
    }
    case 'ipv4-prefix': {
      const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(value);
      if (!m || m.slice(1, 5).some((o) => Number(o) > 255) || Number(m[5]) > 32) return `invalid prefix '${value}'`;
      return undefined;
    }
    case 'name':
      return value !== '' && !/[\s;{}[\]"]/.test(value) ? undefined : `invalid name '${value}'`;
    case 'text':
      return value.includes('\n') ? `invalid value '${value}'` : undefined;
  }
}

/** The ports a `destination-port` value covers, as a range. */
export function portRange(value: string): { lo: number; hi: number } | undefined {
  if (Object.hasOwn(PORT_NAMES, value)) return { lo: PORT_NAMES[value], hi: PORT_NAMES[value] };
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(value);
  return m ? { lo: Number(m[1]), hi: Number(m[2] ?? m[1]) } : undefined;
}
