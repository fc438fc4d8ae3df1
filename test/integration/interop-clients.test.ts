/**
 * Standard NETCONF clients against our lab: ncclient (the Python NETCONF library) and
 * Juniper's PyEZ read a lab SRX, and what they find must be what our client and
 * extractors find, and what the lab's device state holds. Run once with the Junos-like
 * base:1.0-only hello (EOM framing) and once with base11 (chunked framing).
 *
 * The Python side runs Debian's /usr/bin/python3 (python3-ncclient, python3-junos-eznc):
 * a pyenv `python3` earlier on PATH does not have them. Tests that need a library that is
 * missing are skipped with the reason; CI installs both.
 *
 * Devices are the one-peer and cluster scenarios made smaller (fewer AH sessions and
 * peers, same shape: the pinned peer, the heavy peers, SPUs and nodes) so that the
 * Python clients, which build whole DOM trees, finish in seconds.
 * RUNBOOK_INTEROP_FULL=1 runs them at full size (21167 and 18000 AH sessions; about a
 * minute and over 1 GB of memory for the Python side).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it, type TestContext } from 'node:test';
import { flowSessions, ikeSas, ipsecSas, tunnelIndexesByPeer } from '../../src/junos/index.ts';
import type { DeviceBackend } from '../../src/lab/backend.ts';
import type { DeviceState } from '../../src/lab/device-state.ts';
import { LAB_PASSWORD, LAB_PASSWORD_ENV, LAB_USER, type LabHostSpec } from '../../src/lab/lab.ts';
import { NetconfSession } from '../../src/transport/session.ts';
import { labConnect, startLab } from '../helpers/lab.ts';

const PYTHON = '/usr/bin/python3';
const INTEROP_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'interop');
const FULL = process.env.RUNBOOK_INTEROP_FULL === '1';
/** A probe does three (or, with a clear, a few dozen) RPCs; it is killed after this. */
const PROBE_TIMEOUT_MS = FULL ? 300_000 : 60_000;
const TEST_TIMEOUT_MS = FULL ? 600_000 : 120_000;

/** Only what the probes need: no PYTHONPATH or pyenv variables, no real ~/.ssh. */
function pythonEnv(home: string): NodeJS.ProcessEnv {
  return { PATH: '/usr/bin:/bin', HOME: home, LANG: 'C.UTF-8', PYTHONDONTWRITEBYTECODE: '1', [LAB_PASSWORD_ENV]: LAB_PASSWORD };
}

/** Why `import module` fails under /usr/bin/python3, or undefined when it works. */
function pythonModuleMissing(module: string, pkg: string): string | undefined {
  const r = spawnSync(PYTHON, ['-c', `import ${module}`], { encoding: 'utf8', timeout: 20_000, env: pythonEnv(tmpdir()) });
  if (r.error) return `${PYTHON} cannot run (${r.error.message}); apt-get install python3 ${pkg}`;
  if (r.status !== 0) return `${PYTHON} cannot import ${module} (apt-get install ${pkg}): ${r.stderr.trim().split('\n').pop()}`;
  return undefined;
}

const NO_NCCLIENT = pythonModuleMissing('ncclient', 'python3-ncclient');
const NO_PYEZ = pythonModuleMissing('jnpr.junos', 'python3-junos-eznc');

/** What every reader reports, in the probes' JSON shape. */
interface Reading {
  ah_sessions: number;
  /** [peer, AH sessions] in order of first appearance in the flow reply. */
  ah_by_peer: [string, number][];
  /** [peer, distinct sa-tunnel-index] in order of first appearance in the SA reply. */
  tunnels_by_peer: [string, number[]][];
  ike_peers: string[];
}

interface ProbeResult extends Reading {
  client: string;
  client_version: string;
  session_id: string;
  flow_blocks: number;
  displayed_counts: number[];
  nodes: string[];
  base11?: boolean;
  server_offers_base11?: boolean;
  ah_sessions_first_element?: number;
  cleared?: { peer: string; tunnels: number[]; replies: { rpc: string; index?: number; reply: string }[] };
  after?: Reading & { displayed_counts: number[] };
  error?: string;
}

function runProbe(script: string, lab: StartedLab, host: string, home: string, extra: string[] = [], knownHosts = lab.knownHostsFile): Promise<ProbeResult> {
  const h = lab.host(host);
  const args = [join(INTEROP_DIR, script), '--host', h.address, '--port', String(h.port), '--user', LAB_USER, '--known-hosts', knownHosts, '--timeout', '60', ...extra];
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, args, { cwd: INTEROP_DIR, env: pythonEnv(home), stdio: ['ignore', 'pipe', 'pipe'], timeout: PROBE_TIMEOUT_MS, killSignal: 'SIGKILL' });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString('utf8')));
    child.stderr.on('data', (b: Buffer) => (err += b.toString('utf8')));
    child.once('error', reject);
    child.once('close', (code, signal) => {
      let parsed: ProbeResult | undefined;
      try {
        parsed = JSON.parse(out) as ProbeResult;
      } catch {
        // reported below
      }
      if (code === 0 && parsed && !parsed.error) return resolve(parsed);
      reject(new Error(`${script} against ${host} exited ${signal ?? code}${signal === 'SIGKILL' ? ` (killed after ${PROBE_TIMEOUT_MS} ms)` : ''}: ${parsed?.error ?? out.slice(0, 2000)}\n${err.slice(-4000)}`));
    });
  });
}

/** Our client and extractors, read into the probes' shape. */
async function readWithRunbook(lab: StartedLab, host: string, base11: boolean): Promise<Reading & { framing: string; displayed: number[]; nodes: string[]; blocks: number }> {
  const s = await NetconfSession.connect(labConnect(lab, host, { rpcTimeoutMs: 60_000 }));
  try {
    const flow = flowSessions();
    await s.rpc('<get-flow-session-information><protocol>ah</protocol></get-flow-session-information>', { handler: flow });
    const ipsec = ipsecSas();
    await s.rpc('<get-security-associations-information/>', { handler: ipsec });
    const ike = ikeSas();
    await s.rpc('<get-ike-security-associations-information/>', { handler: ike });
    const f = flow.result();
    const byPeer = new Map<string, number>();
    for (const x of f.sessions) if (x.sourceAddress) byPeer.set(x.sourceAddress, (byPeer.get(x.sourceAddress) ?? 0) + 1);
    assert.equal(s.framing, base11 ? 'chunked' : 'eom');
    return {
      framing: s.framing,
      ah_sessions: f.total,
      ah_by_peer: [...byPeer],
      tunnels_by_peer: [...tunnelIndexesByPeer(ipsec.result().sas)],
      ike_peers: ike.result().sas.map((x) => x.remoteAddress),
      displayed: f.displayedCounts,
      nodes: f.nodes,
      blocks: f.blocks,
    };
  } finally {
    await s.close();
  }
}

/** What the lab device holds, straight from its state (no NETCONF involved). */
function readState(dev: DeviceState): Reading {
  const byPeer = dev.ahSessionsByPeer();
  return {
    ah_sessions: [...byPeer.values()].reduce((a, b) => a + b, 0),
    ah_by_peer: [...byPeer],
    tunnels_by_peer: dev.peers.map((p) => [p.address, dev.tunnelIndexesOf(p.address)] as [string, number[]]).filter(([, idx]) => idx.length > 0),
    ike_peers: dev.ikeSas.filter((sa) => sa.alive).map((sa) => dev.peers[sa.peerSlot]!.address),
  };
}

function sortedPairs<T>(pairs: readonly [string, T][]): [string, T][] {
  return [...pairs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Same numbers; the reply orders (first appearance) must match too. */
function assertSameReading(actual: Reading, expected: Reading, who: string): void {
  assert.equal(actual.ah_sessions, expected.ah_sessions, `${who}: AH sessions`);
  assert.deepEqual(actual.ah_by_peer, expected.ah_by_peer, `${who}: AH sessions per peer, in reply order`);
  assert.deepEqual(actual.tunnels_by_peer, expected.tunnels_by_peer, `${who}: tunnel indexes per peer, in reply order`);
  assert.deepEqual(actual.ike_peers, expected.ike_peers, `${who}: IKE SA remote addresses`);
}

/**
 * Against the lab's state: same numbers. The state keeps peers in SA-reply order, which
 * is not the flow reply's, so per-peer session counts are compared as sets.
 */
function assertMatchesState(actual: Reading, dev: DeviceState, who: string): void {
  const state = readState(dev);
  assert.equal(actual.ah_sessions, state.ah_sessions, `${who}: AH sessions`);
  assert.deepEqual(sortedPairs(actual.ah_by_peer), sortedPairs(state.ah_by_peer), `${who}: AH sessions per peer`);
  assert.deepEqual(actual.tunnels_by_peer, state.tunnels_by_peer, `${who}: tunnel indexes per peer, in SA-reply order`);
  assert.deepEqual(actual.ike_peers, state.ike_peers, `${who}: IKE SA remote addresses`);
}

type StartedLab = Awaited<ReturnType<typeof startLab>>;

function deviceOf(lab: StartedLab, host: string): DeviceState {
  return (lab.host(host).backend as DeviceBackend).device;
}

const SIZES = {
  // one-peer keeps its pinned peer 4.0.0.2 (54 sessions, 17 tunnels); 119 other peers.
  'one-peer': FULL ? undefined : { ahSessions: 3_000, peers: 120 },
  // cluster keeps 2 nodes × 3 SPUs and its 3 heavy peers; 37 other peers.
  cluster: FULL ? undefined : { ahSessions: 6_000, peers: 40 },
} as const;

for (const base11 of [false, true]) {
  const framing = base11 ? 'base:1.1 (chunked)' : 'base:1.0 (EOM)';

  describe(`ncclient and PyEZ against the lab, ${framing}`, () => {
    let lab: StartedLab;
    let home: string;
    const hosts: LabHostSpec[] = [
      { name: 'standalone', scenario: 'one-peer', seed: 1, base11, ...(SIZES['one-peer'] && { overrides: SIZES['one-peer'] }) },
      { name: 'cluster', scenario: 'cluster', seed: 3, base11, ...(SIZES.cluster && { overrides: SIZES.cluster }) },
      // Cleared by ncclient: kept apart so the read-only comparisons see untouched devices.
      base11
        ? { name: 'to-clear', scenario: 'cluster', seed: 5, base11, ...(SIZES.cluster && { overrides: SIZES.cluster }) }
        : { name: 'to-clear', scenario: 'one-peer', seed: 5, base11, ...(SIZES['one-peer'] && { overrides: SIZES['one-peer'] }) },
    ];
    /** Our client's reading of each host, taken once, before any probe runs against it. */
    const ours = new Map<string, ReturnType<typeof readWithRunbook>>();
    const runbookReading = (host: string) => {
      if (!ours.has(host)) ours.set(host, readWithRunbook(lab, host, base11));
      return ours.get(host)!;
    };
    /** Each probe's reading of a read-only host, taken once and shared by the tests. */
    const probes = new Map<string, Promise<ProbeResult>>();
    const probeReading = (script: string, host: string) => {
      const key = `${script} ${host}`;
      if (!probes.has(key)) probes.set(key, runProbe(script, lab, host, home));
      return probes.get(key)!;
    };

    before(async () => {
      lab = await startLab(hosts);
      home = await mkdtemp(join(tmpdir(), 'runbook-interop-home-'));
    });
    after(async () => {
      await lab?.cleanup();
      if (home) await rm(home, { recursive: true, force: true });
    });

    for (const host of ['standalone', 'cluster'] as const) {
      it(`${host}: runbook reads what the lab device holds`, { timeout: TEST_TIMEOUT_MS }, async () => {
        const mine = await runbookReading(host);
        const state = readState(deviceOf(lab, host));
        assert.ok(state.ah_sessions > 0 && state.tunnels_by_peer.length > 0 && state.ike_peers.length > 0, 'the device has AH sessions, tunnels and IKE SAs');
        assertMatchesState(mine, deviceOf(lab, host), 'runbook vs lab state');
        if (host === 'cluster') {
          assert.deepEqual(mine.nodes, ['node0', 'node1']);
          assert.equal(mine.blocks, 6, '3 SPUs on each of 2 nodes');
        } else {
          assert.deepEqual(mine.nodes, []);
          // The pinned peer of the seed's first sample.
          assert.deepEqual(new Map(mine.ah_by_peer).get('4.0.0.2'), 54);
          assert.equal(new Map(mine.tunnels_by_peer).get('4.0.0.2')?.length, 17);
        }
        assert.equal(mine.displayed.reduce((a, b) => a + b, 0), mine.ah_sessions, 'the blocks\' displayed-session-counts add up to the sessions read');
      });

      it(`${host}: ncclient reads the same sessions, tunnels and IKE SAs as runbook`, { timeout: TEST_TIMEOUT_MS }, async (t: TestContext) => {
        if (NO_NCCLIENT) return t.skip(NO_NCCLIENT);
        const mine = await runbookReading(host);
        const nc = await probeReading('ncclient_probe.py', host);
        assert.equal(nc.client, 'ncclient');
        assert.equal(nc.server_offers_base11, base11, 'the lab offers base:1.1 only when told to');
        assert.equal(nc.base11, base11, `ncclient negotiated ${framing}`);
        assertSameReading(nc, mine, 'ncclient vs runbook');
        assertMatchesState(nc, deviceOf(lab, host), 'ncclient vs lab state');
        assert.deepEqual(nc.nodes, mine.nodes);
        assert.deepEqual(nc.displayed_counts, mine.displayed);
        assert.equal(nc.flow_blocks, mine.blocks);
        if (host === 'cluster') {
          // The trap the whole-reply count avoids: the first block holds a fraction.
          assert.ok(nc.displayed_counts[0]! < nc.ah_sessions / 2, `first block ${nc.displayed_counts[0]} of ${nc.ah_sessions}`);
        }
      });

      it(`${host}: PyEZ reads the same sessions, tunnels and IKE SAs as runbook`, { timeout: TEST_TIMEOUT_MS }, async (t: TestContext) => {
        if (NO_PYEZ) return t.skip(NO_PYEZ);
        const mine = await runbookReading(host);
        const ez = await probeReading('pyez_probe.py', host);
        assert.equal(ez.client, 'pyez');
        assertSameReading(ez, mine, 'PyEZ vs runbook');
        assertMatchesState(ez, deviceOf(lab, host), 'PyEZ vs lab state');
        assert.deepEqual(ez.nodes, mine.nodes);
        assert.deepEqual(ez.displayed_counts, mine.displayed);
        // PyEZ hands back the first element of the reply: on a cluster that is the
        // multi-routing-engine-results wrapper, so nothing is lost there either.
        assert.equal(ez.ah_sessions_first_element, mine.ah_sessions);
      });
    }

    it('three clients, one device: ncclient, PyEZ, runbook and the lab state agree on the cluster', { timeout: TEST_TIMEOUT_MS }, async (t: TestContext) => {
      const missing = NO_NCCLIENT ?? NO_PYEZ;
      if (missing) return t.skip(missing);
      const [nc, ez, mine] = await Promise.all([probeReading('ncclient_probe.py', 'cluster'), probeReading('pyez_probe.py', 'cluster'), runbookReading('cluster')]);
      assertSameReading(ez, nc, 'PyEZ vs ncclient');
      assertSameReading(mine, nc, 'runbook vs ncclient');
      for (const [who, r] of [['ncclient', nc], ['PyEZ', ez], ['runbook', mine]] as const) assertMatchesState(r, deviceOf(lab, 'cluster'), `${who} vs lab state`);
      // Three separate sessions: the lab numbered them apart.
      assert.notEqual(nc.session_id, ez.session_id);
    });

    it("ncclient and PyEZ refuse a host whose key is not the one known_hosts lists", { timeout: TEST_TIMEOUT_MS }, async (t: TestContext) => {
      const missing = NO_NCCLIENT ?? NO_PYEZ;
      if (missing) return t.skip(missing);
      // Each lab host has its own key: list the cluster's key under the standalone's port.
      const lines = (await readFile(lab.knownHostsFile, 'utf8')).trim().split('\n');
      const line = (host: string) => lines.find((l) => l.startsWith(`[127.0.0.1]:${lab.host(host).port} `))!;
      const swapped = join(home, 'known_hosts_swapped');
      await writeFile(swapped, line('cluster').replace(/^\S+/, `[127.0.0.1]:${lab.host('standalone').port}`) + '\n');
      const nc = await runProbe('ncclient_probe.py', lab, 'standalone', home, [], swapped).then(
        () => assert.fail('ncclient connected despite the wrong host key'),
        (err: Error) => err,
      );
      assert.match(nc.message, /SSHUnknownHostError|Unknown host key/);
      const ez = await runProbe('pyez_probe.py', lab, 'standalone', home, [], swapped).then(
        () => assert.fail('PyEZ probe connected despite the wrong host key'),
        (err: Error) => err,
      );
      assert.match(ez.message, /does not match/);
    });

    it('a clear done with ncclient is seen by runbook and by the lab', { timeout: TEST_TIMEOUT_MS }, async (t: TestContext) => {
      if (NO_NCCLIENT) return t.skip(NO_NCCLIENT);
      const dev = deviceOf(lab, 'to-clear');
      const before = await readWithRunbook(lab, 'to-clear', base11);
      assertMatchesState(before, dev, 'runbook vs lab state before the clear');
      // The peer with the most AH sessions (4.0.0.2 on one-peer, a heavy peer on cluster).
      const [peer, peerSessions] = [...before.ah_by_peer].sort((a, b) => b[1] - a[1])[0]!;
      const peerTunnels = new Map(before.tunnels_by_peer).get(peer)!;
      assert.ok(peerTunnels.length > 0 && before.ike_peers.includes(peer), `${peer} has tunnels and an IKE SA`);
      const logBefore = dev.rpcLog.length;

      const nc = await runProbe('ncclient_probe.py', lab, 'to-clear', home, ['--clear-peer', peer]);
      assert.equal(nc.cleared?.peer, peer);
      assert.deepEqual(nc.cleared?.tunnels, peerTunnels, 'ncclient found the same tunnels to clear');
      assert.equal(nc.cleared?.replies.length, 1 + peerTunnels.length);

      // The lab received exactly those clears, from ncclient's RPC encoding.
      const clears = dev.rpcLog.slice(logBefore).filter((e) => e.changesState);
      assert.deepEqual(
        clears.map((e) => [e.rpc, e.args, e.outcome]),
        [
          ['clear-ike-security-association', { 'peer-address': peer }, 'ok'],
          ...peerTunnels.map((i) => ['clear-ipsec-security-association', { index: String(i) }, 'ok']),
        ],
      );

      const afterClear = await readWithRunbook(lab, 'to-clear', base11);
      assert.ok(!afterClear.ike_peers.includes(peer), `${peer}'s IKE SA is gone`);
      assert.equal(afterClear.ike_peers.length, before.ike_peers.length - 1, 'only that IKE SA went');
      assert.ok(!new Map(afterClear.tunnels_by_peer).has(peer), `${peer}'s tunnels are gone`);
      assert.equal(afterClear.tunnels_by_peer.length, before.tunnels_by_peer.length - 1, "only that peer's tunnels went");
      assert.ok(!new Map(afterClear.ah_by_peer).has(peer), `${peer}'s AH sessions are gone`);
      assert.equal(afterClear.ah_sessions, before.ah_sessions - peerSessions, `exactly ${peerSessions} AH sessions went`);
      // ncclient's own re-read, runbook's and the lab's state agree after the change too.
      assertSameReading(nc.after!, afterClear, 'ncclient after its clear vs runbook');
      assertMatchesState(afterClear, dev, 'runbook vs lab state after the clear');
    });
  });
}
