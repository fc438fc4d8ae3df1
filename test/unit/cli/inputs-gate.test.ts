import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inputGateStops } from '../../../src/cli/inputs-gate.ts';
import { loadPlaybook, parsePlaybook } from '../../../src/playbook/load.ts';

const clearVars = { session_id: 0, protocol: '', destination_port: 0, application: '', interface: '', source_prefix: '', all: false, dry_run: true };

describe('inputGateStops: gates decided from the inputs alone, before connecting', () => {
  it('stops clear-sessions where nothing is asked for, and lets a host with a filter through', async () => {
    const playbook = await loadPlaybook('playbooks/clear-sessions.yml');
    const stops = await inputGateStops(playbook, [
      { name: 'fw1', groups: ['all'], vars: clearVars },
      { name: 'fw2', groups: ['all'], vars: { ...clearVars, destination_port: 53 } },
      { name: 'fw3', groups: ['all'], vars: { ...clearVars, all: true, protocol: 'tcp' } },
    ]);
    assert.match(stops.get('fw1')!, /^nothing asked for/);
    assert.equal(stops.has('fw2'), false);
    assert.match(stops.get('fw3')!, /all cannot be combined/);
  });

  it('decides nothing a device must answer: a gate after a collect, or one reading collected data, waits for the run', async () => {
    const ah = await loadPlaybook('playbooks/ah-cleanup.yml');
    assert.equal((await inputGateStops(ah, [{ name: 'fw1', groups: ['all'], vars: { min_total_sessions: 10000, min_peer_sessions: 1000, top_peers: 3, dry_run: true } }])).size, 0);
    const gated = parsePlaybook(
      'name: g\nhosts: all\nvars: { on: { type: boolean, default: false } }\nsteps:\n  - name: when-gated\n    when: vars.on\n    analyze: { require: vars.on, otherwise: off }\n',
      'g.yml',
    );
    assert.equal((await inputGateStops(gated, [{ name: 'fw1', groups: ['all'], vars: { on: false } }])).size, 0, 'a gate with `when` is left to the run');
  });
});
