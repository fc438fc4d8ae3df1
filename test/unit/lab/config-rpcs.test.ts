import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createDeviceState, type DeviceState } from '../../../src/lab/device-state.ts';
import { handleRpc, renderRpcErrors } from '../../../src/lab/dispatch.ts';
import { FAULT_NAMES, faultFromName } from '../../../src/lab/faults.ts';
import { resolveScenario } from '../../../src/lab/scenarios.ts';
import { SessionKind } from '../../../src/lab/session-table.ts';
import { childText } from '../../../src/xml/node.ts';
import { assertWellFormed, elements, fixture, rpcNode, shape, text, wrap } from './lab-xml.ts';

const A = { id: 19313, user: 'lab' };
const B = { id: 19314, user: 'ops' };

function device(scenario = 'no-peer', options: Parameters<typeof createDeviceState>[1] = {}): DeviceState {
  return createDeviceState(resolveScenario(scenario), { hostName: 'srx1', now: () => 1_714_999_189_000, ...options });
}

/** Sends an RPC on a session and returns the reply content, checked well-formed. */
function send(dev: DeviceState, xml: string, session = A): string {
  const reply = handleRpc(dev, rpcNode(xml), session);
  const body = reply.kind === 'error' ? renderRpcErrors(reply.errors) : text(reply);
  assertWellFormed([body], dev.nsVersion);
  return body;
}

const loadSet = (lines: string) => `<load-configuration action="set" format="text"><configuration-set>${lines}</configuration-set></load-configuration>`;
const first = (xml: string, name: string) => {
  const [n] = elements(xml, name);
  assert.ok(n, `no <${name}> in ${xml}`);
  return n;
};

describe('configuration RPC replies, shaped like the captures', () => {
  it('load with a warning: the rpc-error as load-configuration-results-warnings-ok.xml, then <ok/>', () => {
    const dev = device();
    const ours = first(send(dev, loadSet('set security flow aging early-ageout 20\ndelete security flow tcp-session fin-invalidate-session')), 'load-configuration-results');
    const theirs = first(fixture('load-configuration-results-warnings-ok.xml'), 'load-configuration-results');
    assert.deepEqual(shape(ours), shape(theirs).slice(-4), 'one warning (severity, message) and ok, as the last of the capture');
    assert.equal(childText(ours.children[0], 'error-message'), childText(theirs.children[0], 'error-message'));
  });

  it('load with errors: the rpc-errors with path and bad-element, then <load-error-count>, no <ok/>', () => {
    const dev = device();
    const ours = first(send(dev, loadSet('set security flow tcp-session tcp-initial-timeout 3\nset security flow aging early-ageout 20')), 'load-configuration-results');
    assert.deepEqual(
      ours.children.map((c) => c.name),
      ['rpc-error', 'load-error-count'],
    );
    assert.equal(childText(ours, 'load-error-count'), '1');
    const mandatory = elements(fixture('commit-results-rpc-error-missing-mandatory.xml'), 'rpc-error')[0];
    assert.deepEqual(shape(ours.children[0]), shape(mandatory), 'type, tag, severity, path, message, error-info/bad-element');
    assert.equal(send(dev, '<get-configuration compare="rollback" rollback="0" format="text"/>').includes('early-ageout'), false, 'the whole load was refused');
  });

  it('commit check: <commit-results> with re0 and <commit-check-success/>, then <ok/>', () => {
    const dev = device();
    const reply = send(dev, '<commit-configuration><check/></commit-configuration>');
    const ours = first(reply, 'routing-engine');
    const theirs = first(fixture('commit-check-results-warnings.xml'), 'routing-engine');
    assert.deepEqual(shape(ours), shape(theirs));
    assert.equal(ours.attrs['junos:style'], 'normal');
    assert.equal(childText(ours, 'name'), 're0');
    assert.match(reply, /<\/commit-results>\n<ok\/>\n$/);
  });

  it('a failed commit check: commit-results-rpc-error-missing-mandatory.xml exactly, candidate kept', () => {
    const dev = device();
    send(dev, loadSet('set security flow aging high-watermark 80 low-watermark 90'));
    const ours = first(send(dev, '<commit-configuration><check/></commit-configuration>'), 'commit-results');
    const theirs = first(fixture('commit-results-rpc-error-missing-mandatory.xml'), 'commit-results');
    assert.deepEqual(shape(ours), shape(theirs));
    assert.equal(childText(ours.children[1], 'error-message'), 'configuration check-out failed');
    assert.equal(childText(ours.children[0], 'error-path'), '[edit security flow aging]');
    send(dev, '<commit-configuration/>');
    assert.equal(dev.config.history.length, 1, 'a commit fails the same way');
    assert.match(send(dev, '<get-configuration compare="rollback" rollback="0" format="text"/>'), /low-watermark 90/);
  });

  it('a chassis cluster: one routing-engine per node, named node0 and node1', () => {
    const dev = device('cluster');
    const names = (xml: string) => elements(xml, 'routing-engine').map((r) => `${r.attrs['junos:style']} ${childText(r, 'name')} ${r.children[1].name}`);
    assert.deepEqual(names(send(dev, '<commit-configuration><check/></commit-configuration>')), ['show-name node0 commit-check-success', 'show-name node1 commit-check-success']);
    assert.deepEqual(names(send(dev, '<commit-configuration/>')), ['show-name node1 commit-success', 'show-name node0 commit-success']);
  });

  it('lock-denied carries the holder in the message and its session-id in error-info', () => {
    const dev = device();
    assert.equal(send(dev, '<lock><target><candidate/></target></lock>'), '<ok/>\n');
    const err = first(send(dev, '<lock><target><candidate/></target></lock>', B), 'rpc-error');
    assert.deepEqual(shape(err), ['error-type', 'error-tag', 'error-severity', 'error-message', 'error-info', 'error-info/session-id']);
    assert.equal(childText(err, 'error-tag'), 'lock-denied');
    assert.equal(childText(first(send(dev, '<lock><target><candidate/></target></lock>', B), 'error-info'), 'session-id'), '19313');
    assert.match(childText(err, 'error-message') ?? '', /^configuration database locked by:\n {2}lab terminal {2}\(pid 19313\) on since 2024-05-06 12:39:49 UTC, idle 00:00:00\n {6}exclusive$/);
    assert.equal(dev.rpcLog.at(-1)?.outcome, 'error');
    const commit = send(dev, '<commit-configuration/>', B);
    assert.equal(elements(commit, 'commit-results').length, 0, 'a commit under another session\'s lock is refused before any check');
    assert.equal(childText(first(commit, 'rpc-error'), 'error-tag'), 'lock-denied');
    assert.equal(send(dev, '<unlock-configuration/>'), '<ok/>\n', 'the junoscript alias unlocks too');
  });

  it('get-configuration: XML with the junos:commit-* attributes, a subtree filter, text and set forms', () => {
    const dev = device();
    send(dev, '<load-configuration action="merge"><configuration><security><flow><aging><early-ageout>25</early-ageout></aging></flow></security></configuration></load-configuration>');
    const committed = first(send(dev, '<get-configuration database="committed"/>'), 'configuration');
    assert.equal(committed.attrs['junos:commit-seconds'], String(dev.config.history[0].seconds));
    assert.match(committed.attrs['junos:commit-localtime'] ?? '', /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
    assert.equal(committed.attrs['junos:commit-user'], 'lab');
    assert.equal(childText(committed, 'version'), '15.1X49-D170.4');
    assert.equal(elements(send(dev, '<get-configuration database="committed"/>'), 'aging').length, 0);

    const candidate = first(send(dev, '<get-configuration><configuration><security><flow/></security></configuration></get-configuration>'), 'configuration');
    assert.equal(candidate.attrs['junos:changed-seconds'], '1714999189');
    assert.deepEqual(shape(candidate), ['security', 'security/flow', 'security/flow/aging', 'security/flow/aging/early-ageout']);
    const none = first(send(dev, '<get-configuration><configuration><applications/></configuration></get-configuration>'), 'configuration');
    assert.deepEqual(none.children, []);

    const txt = first(send(dev, '<get-configuration database="committed" format="text"/>'), 'configuration-text').text;
    assert.match(txt, /^\n## Last commit: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC by lab\nversion 15\.1X49-D170\.4;\nsystem \{\n {4}host-name srx1;\n\}\n/);
    const set = first(send(dev, '<get-configuration format="set"><configuration><security><flow/></security></configuration></get-configuration>'), 'configuration-set').text;
    assert.equal(set, '\nset security flow aging early-ageout 25\n');
    const compare = first(send(dev, '<get-configuration compare="rollback" rollback="0" format="text"/>'), 'configuration-output');
    assert.equal(compare.text, '\n[edit security]\n+   flow {\n+       aging {\n+           early-ageout 25;\n+       }\n+   }\n');
  });

  it('answers malformed configuration requests with rpc-errors', () => {
    const dev = device();
    const message = (xml: string) => childText(first(send(dev, xml), 'rpc-error'), 'error-message')?.trim();
    assert.equal(message('<load-configuration action="set"><configuration-text>x</configuration-text></load-configuration>'), "internal communications error (tag 'configuration-text') expecting <configuration-set>");
    assert.match(message('<load-configuration url="/var/tmp/x.conf"/>') ?? '', /loads no files/);
    assert.match(message('<load-configuration rollback="99"/>') ?? '', /invalid rollback number/);
    assert.match(message('<load-configuration rollback="7"/>') ?? '', /rollback 7 does not exist/);
    assert.equal(message('<commit-configuration><at-time>now</at-time></commit-configuration>'), 'syntax error');
    assert.match(message('<commit-configuration><confirm-timeout>5</confirm-timeout></commit-configuration>') ?? '', /needs <confirmed\/>/);
    assert.match(message('<commit-configuration><confirmed/><confirm-timeout>0</confirm-timeout></commit-configuration>') ?? '', /not within range \(1\.\.65535\)/);
    assert.match(message('<get-configuration database="startup"/>') ?? '', /invalid database/);
    assert.match(message('<lock><target><running/></target></lock>') ?? '', /not supported/);
    assert.equal(dev.config.history.length, 1);
    assert.deepEqual(dev.stateChangingRpcs().map((e) => e.outcome), ['error', 'error', 'error'], 'the refused commits count as attempts');
  });
});

describe('the RPC log of configuration RPCs', () => {
  it('a dry run (lock, load, compare, check, rollback 0, unlock) logs no state-changing RPC', () => {
    const dev = device();
    for (const rpc of [
      '<lock><target><candidate/></target></lock>',
      loadSet('set security flow aging early-ageout 20'),
      '<get-configuration compare="rollback" rollback="0" format="text"/>',
      '<commit-configuration><check/></commit-configuration>',
      '<load-configuration rollback="0"/>',
      '<unlock><target><candidate/></target></unlock>',
    ]) {
      send(dev, rpc);
    }
    assert.deepEqual(
      dev.rpcLog.map((e) => [e.rpc, e.changesState, e.outcome]),
      [
        ['lock', false, 'ok'],
        ['load-configuration', false, 'ok'],
        ['get-configuration', false, 'ok'],
        ['commit-configuration', false, 'ok'],
        ['load-configuration', false, 'ok'],
        ['unlock', false, 'ok'],
      ],
    );
    assert.deepEqual(dev.stateChangingRpcs(), []);
  });

  it('commits that change the running configuration are state-changing, with their arguments', () => {
    const dev = device();
    send(dev, loadSet('set security flow aging early-ageout 20'));
    send(dev, '<commit-configuration><confirmed/><confirm-timeout>5</confirm-timeout><log>guard</log></commit-configuration>');
    send(dev, '<commit/>');
    assert.deepEqual(
      dev.stateChangingRpcs().map((e) => [e.rpc, e.args, e.outcome]),
      [
        ['commit-configuration', { confirmed: true, 'confirm-timeout': '5', log: 'guard' }, 'ok'],
        ['commit', {}, 'ok'],
      ],
    );
    assert.equal(dev.config.confirmDeadline, undefined, 'the NETCONF commit confirmed it');
    dev.dispose();
  });

  it('get-commit-information: the history newest first, each commit\'s comment in <log>, a pending commit confirmed marked', () => {
    const dev = device();
    send(dev, loadSet('set security flow aging early-ageout 20'));
    send(dev, '<commit-configuration><confirmed/><confirm-timeout>5</confirm-timeout><log>runbook 20261204T220602Z-3f9a61c2 CHG-42 a.yml</log></commit-configuration>', B);
    const pending = first(send(dev, '<get-commit-information/>'), 'commit-information');
    const entries = pending.children.filter((c) => c.name === 'commit-history');
    assert.deepEqual(
      entries.map((e) => [childText(e, 'sequence-number'), childText(e, 'user'), childText(e, 'client'), childText(e, 'comment'), childText(e, 'log'), childText(e, 'commit-confirmed')]),
      [
        ['0', 'ops', 'netconf', 'commit confirmed, rollback in 5mins', 'runbook 20261204T220602Z-3f9a61c2 CHG-42 a.yml', 'rollback pending'],
        ['1', dev.config.history[1]!.user, 'cli', undefined, undefined, undefined],
      ],
    );
    assert.match(childText(entries[0]!, 'date-time') ?? '', /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
    send(dev, '<commit-configuration><log>confirm &amp; done</log></commit-configuration>', B);
    const confirmed = first(send(dev, '<get-commit-information/>'), 'commit-information').children.filter((c) => c.name === 'commit-history');
    assert.deepEqual(confirmed.map((e) => [childText(e, 'sequence-number'), childText(e, 'log'), childText(e, 'commit-confirmed')]).slice(0, 2), [
      ['0', 'confirm & done', undefined],
      ['1', 'runbook 20261204T220602Z-3f9a61c2 CHG-42 a.yml', undefined],
    ]);
    assert.deepEqual(dev.stateChangingRpcs().map((e) => e.rpc), ['commit-configuration', 'commit-configuration'], 'reading the history changes nothing');
    dev.dispose();
  });

  it('reject-commit is a fault the CLI and inventories can name', () => {
    assert.ok((FAULT_NAMES as readonly string[]).includes('reject-commit'));
    assert.deepEqual(faultFromName('reject-commit'), { rejectCommit: true });
  });

  it('the reject-commit fault: commit check passes, commits fail with a daemon error and check-out failed', () => {
    const dev = device('no-peer', { rejectCommit: true });
    send(dev, loadSet('set security flow aging early-ageout 20'));
    assert.match(send(dev, '<commit-configuration><check/></commit-configuration>'), /<commit-check-success\/>/);
    const results = first(send(dev, '<commit-configuration/>'), 'commit-results');
    assert.deepEqual(
      elements(wrap(`<x>${results.children.map((c) => childText(c, 'error-message')).join('|')}</x>`, dev.nsVersion), 'x')[0].text.replace(/\n/g, ''),
      'flowd: configuration rejected by the daemon (lab fault reject-commit)|configuration check-out failed',
    );
    assert.match(send(dev, '<commit/>'), /reject-commit/);
    assert.equal(dev.config.history.length, 1);
    assert.deepEqual(dev.stateChangingRpcs().map((e) => [e.rpc, e.outcome]), [
      ['commit-configuration', 'error'],
      ['commit', 'error'],
    ]);
  });
});

describe('clear security flow session, all of its forms', () => {
  const cleared = (xml: string) => elements(xml, 'active-sessions-cleared').map((n) => Number(n.text));

  it('<clear-flow-session-all/> (Junos\'s own RPC for `all`) keeps tunnel sessions, as <clear-flow-session><all/> does', () => {
    const dev = device();
    const tunnel = dev.spec.otherSessions.tcpViaTunnel;
    assert.deepEqual(cleared(send(dev, '<clear-flow-session-all/>')), [dev.sessions.size - tunnel]);
    assert.equal(dev.sessions.aliveCount, tunnel);
    assert.deepEqual(dev.stateChangingRpcs().map((e) => e.rpc), ['clear-flow-session-all']);
  });

  it('<clear-flow-session-by-session-identifier> clears that one session, on a cluster per node', () => {
    const dev = device('cluster');
    const id = dev.sessions.id[dev.blockRows(dev.blocksOfNode(1)[0].ordinal).start];
    const reply = send(dev, `<clear-flow-session-by-session-identifier><session-identifier>${id}</session-identifier></clear-flow-session-by-session-identifier>`);
    assert.deepEqual(elements(reply, 're-name').map((n) => n.text), ['node0', 'node1']);
    assert.deepEqual(cleared(reply), [0, 1]);
    assert.match(send(dev, '<clear-flow-session-by-session-identifier/>'), /<bad-element>session-identifier<\/bad-element>/);
  });

  it('filters on interface names of every platform (ge-0/0/1.0, xe-2/0/1.0, reth1.0), application, port and prefix', () => {
    // Counted with a filtered summary: whole flow replies of these devices are tens of MB.
    const shown = (dev: DeviceState, filter: string) =>
      elements(send(dev, `<get-flow-session-information>${filter}<summary/></get-flow-session-information>`), 'displayed-session-count').reduce((n, e) => n + Number(e.text), 0);
    for (const [scenario, outside] of [
      ['no-peer', 'ge-0/0/1.0'],
      ['busy', 'xe-2/0/1.0'],
      ['cluster', 'reth1.0'],
    ] as const) {
      const dev = device(scenario);
      const before = dev.sessions.aliveCount;
      const viaOutside = shown(dev, `<interface>${outside}</interface>`);
      assert.ok(viaOutside > 0, scenario);
      assert.equal(cleared(send(dev, `<clear-flow-session><interface>${outside}</interface></clear-flow-session>`)).reduce((a, b) => a + b, 0), viaOutside, scenario);
      assert.equal(dev.sessions.aliveCount, before - viaOutside);
      assert.equal(shown(dev, `<interface>${outside}</interface>`), 0);
    }
    const dev = device();
    for (const filter of ['<application>junos-dns-udp</application>', '<destination-port>443</destination-port>', '<source-prefix>10.1.0.0/20</source-prefix>', '<protocol>icmp</protocol>']) {
      const n = shown(dev, filter);
      assert.ok(n > 0, filter);
      assert.deepEqual(cleared(send(dev, `<clear-flow-session>${filter}</clear-flow-session>`)), [n], filter);
      assert.equal(shown(dev, filter), 0, filter);
    }
  });

  it('the self-traffic interface .local..0 is refused by the catalog\'s name check (reported, not changed here)', () => {
    const dev = device();
    assert.match(send(dev, '<clear-flow-session><interface>.local..0</interface></clear-flow-session>'), /is not a valid name/);
    assert.equal(dev.sessions.aliveCount, dev.sessions.size);
  });

  it('the full scenario\'s half-open sessions are TCP and clear by protocol with the rest', () => {
    const dev = device('full');
    let half = 0;
    for (let row = 0; row < dev.sessions.size; row++) if (dev.sessions.kind[row] === SessionKind.tcpInit) half++;
    assert.equal(half, 3000);
    const tcp = dev.spec.otherSessions.tcp + dev.spec.otherSessions.tcpViaTunnel + half;
    assert.equal(cleared(send(dev, '<clear-flow-session><protocol>tcp</protocol></clear-flow-session>')).reduce((a, b) => a + b, 0), tcp);
  });
});
