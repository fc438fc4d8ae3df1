import { formatIpv4 } from '../ipv4.ts';
import type { InterfacePlan } from '../platform.ts';
import { loadSetCommands } from './edit.ts';
import { quote } from './render.ts';
import { emptyConfig, type ConfigNode } from './tree.ts';

export interface InitialConfigInput {
  readonly hostName: string;
  readonly interfaces: InterfacePlan;
  /** The device's address toward the peers (the external interface's). */
  readonly localGateway: number;
  /** Statements a scenario adds, as set commands. */
  readonly extra: readonly string[];
}

/**
 * The configuration a lab device boots with: its host name, an address on its inside
 * and outside interfaces, the two policies its sessions name (trust-to-untrust,
 * vpn-to-trust), then the scenario's own statements. No `security flow` at all: a
 * fresh device runs with the defaults. A scenario statement that does not load is
 * returned as the reason, for the scenario's error.
 */
export function initialConfig(input: InitialConfigInput): { readonly tree: ConfigNode } | { readonly problem: string } {
  const ifs = input.interfaces;
  const unit = (name: string) => {
    const dot = name.lastIndexOf('.');
    return { ifd: name.slice(0, dot), unit: name.slice(dot + 1) };
  };
  const inside = unit(ifs.names[ifs.internal]);
  const outside = unit(ifs.names[ifs.external]);
  const lines = [
    `set system host-name ${quote(input.hostName)}`,
    `set interfaces ${inside.ifd} unit ${inside.unit} family inet address 10.1.0.1/16`,
    `set interfaces ${outside.ifd} unit ${outside.unit} family inet address ${formatIpv4(input.localGateway)}/24`,
    'set security policies from-zone trust to-zone untrust policy trust-to-untrust match source-address any destination-address any application any',
    'set security policies from-zone trust to-zone untrust policy trust-to-untrust then permit',
    'set security policies from-zone untrust to-zone trust policy vpn-to-trust match source-address any destination-address any application any',
    'set security policies from-zone untrust to-zone trust policy vpn-to-trust then permit',
    ...input.extra,
  ];
  const tree = emptyConfig();
  const outcome = loadSetCommands(tree, lines.join('\n'));
  const bad = outcome.diagnostics.find((d) => d.severity === 'error');
  if (bad) return { problem: `${bad.message.trim()}${bad.badElement ? ` (${bad.badElement})` : ''}${bad.path ? ` at ${bad.path}` : ''}` };
  return { tree };
}
