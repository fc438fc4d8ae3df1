import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { PlannedAction } from '../../../src/contracts/results.ts';
import { parsePlan } from '../../../src/plan/read.ts';
import { renderPlan } from '../../../src/plan/render.ts';
import { changedHost, PLAYBOOK_TEXT, sha256, skippedHost, threeHostPlan, unreachableHost } from './builders.ts';

const golden = (name: string) => readFileSync(new URL(`../../fixtures/plans/${name}`, import.meta.url), 'utf8');

/** The lines of a Markdown table whose first cell is `first`. */
function row(md: string, first: string): string {
  const line = md.split('\n').find((l) => l.startsWith(`| ${first} |`));
  assert.ok(line, `no table row for ${first}`);
  return line;
}

/** A host whose device-given strings try to break out of the table and the code block. */
function hostileHost(): ReturnType<typeof changedHost> {
  const weird: PlannedAction = { rpc: 'clear-ike-security-association', args: { 'peer-address': 'a|b' }, cli: 'clear security ike security-associations ```a|b`', changesState: true };
  return {
    ...changedHost('srx|odd`01'),
    evidence: { note: 'x | y `z`', peers: [{ peer: '4.0.0.2|`1`', count: 3 }] },
    actions: [weird, { ...weird, cli: 'two\nlines\u001b[2J' }],
    log: ['```', 'done'],
  };
}

describe('renderPlan md', () => {
  it('renders a three-host plan as the reviewed ticket text', () => {
    assert.equal(renderPlan(threeHostPlan(), 'md'), golden('three-hosts.md'));
  });

  it('escapes pipes and backticks in table cells', () => {
    const plan = threeHostPlan({ hosts: [hostileHost()] });
    const md = renderPlan(plan, 'md');
    assert.equal(row(md, 'srx\\|odd\\`01'), '| srx\\|odd\\`01 | netops@192.0.2.31:830 | changed | 2 | note x \\| y \\`z\\`; peers 4.0.0.2\\|\\`1\\` |');
    assert.equal(row(md, 'note'), '| note | x \\| y \\`z\\` |');
    assert.equal(row(md, '4.0.0.2\\|\\`1\\`'), '| 4.0.0.2\\|\\`1\\` | 3 |');
    assert.match(md, /^## srx\\\|odd\\`01: changed$/m);
  });

  it('fences statements and logs so no line inside can close the block', () => {
    const md = renderPlan(threeHostPlan({ hosts: [hostileHost()] }), 'md');
    assert.ok(md.includes('````\nclear security ike security-associations ```a|b`\ntwo\\nlines\\x1b[2J\n````\n'), md);
    assert.ok(md.includes('````\n```\ndone\n````\n'));
  });

  it('escapes HTML and Markdown in text from devices', () => {
    const skipped = { ...skippedHost(), reason: '<b>*8271*</b> [x](http://evil) sessions' };
    const md = renderPlan(threeHostPlan({ hosts: [skipped] }), 'md');
    assert.ok(md.includes('Skipped: \\<b\\>\\*8271\\*\\</b\\> \\[x\\](http://evil) sessions.'));
  });

  it('fences the playbook longer than any backtick run in it', () => {
    const text = `${PLAYBOOK_TEXT}# example: \`\`\`yaml\n`;
    const plan = threeHostPlan({ playbook: { ...threeHostPlan().playbook, text, sha256: sha256(text) } });
    assert.match(renderPlan(plan, 'md'), /\n````yaml\n[^]*# example: ```yaml\n````\n\n<\/details>\n$/);
  });

  it('shows why a failed host has no plan, with the device errors', () => {
    const failed = unreachableHost('srx-ams-03', {
      phase: 'collect',
      kind: 'rpc-error',
      step: 'Collect AH sessions',
      message: 'get-flow-session-information: syntax error',
      deviceErrors: [{ severity: 'error', message: 'syntax error', badElement: 'protocl' }],
    });
    const md = renderPlan(threeHostPlan({ hosts: [{ ...failed, status: 'failed' }] }), 'md');
    assert.equal(row(md, 'srx-ams-03'), '| srx-ams-03 | netops@192.0.2.31:830 | failed | 0 | Collect AH sessions: rpc-error: get-flow-session-information: syntax error |');
    assert.ok(md.includes('## srx-ams-03: failed\n\nFailed, so nothing is planned: Collect AH sessions: rpc-error: get-flow-session-information: syntax error.\n\n- error: syntax error (bad element protocl)\n'));
  });

  it('shows a host\'s pre checks: a failed one with each item, why and its figures', () => {
    const failedCheck = {
      name: 'no SPU is full',
      op: 'is-lt' as const,
      table: 'summary',
      field: 'active',
      key: ['spu'],
      phase: 'pre' as const,
      passed: false,
      checked: 3,
      failures: [{ key: { spu: 'FPC0 PIC1' }, pre: 63800, reason: 'active 63800 is not < 60000' }],
      items: [{ key: { spu: 'FPC0 PIC1' }, pre: 63800 }],
    };
    const plan = threeHostPlan({ hosts: [{ ...unreachableHost('srx-ams-03', { phase: 'act', kind: 'check', step: 'Act', message: "pre check failed: check 'no SPU is full' (pre): spu=FPC0 PIC1: active 63800 is not < 60000 [pre 63800]; nothing was sent" }), status: 'failed', checks: [failedCheck] }] });
    assert.ok(renderPlan(plan, 'md').includes('**Pre checks** (run again before apply acts; a failed one stops it):\n\n```\nFAIL no SPU is full (pre): 1 of 3 failed\n  spu=FPC0 PIC1: active 63800 is not < 60000\n```\n'));
    assert.ok(renderPlan(plan, 'text').includes('  Pre checks:\n    FAIL no SPU is full (pre): 1 of 3 failed\n      spu=FPC0 PIC1: active 63800 is not < 60000\n'));
  });

  it('shows a passed check\'s figures, a row per item, and how many items it left out', () => {
    const passed = {
      name: 'no peer lost sessions',
      op: 'list-not-less' as const,
      table: 'ah',
      field: '$count',
      key: ['peer'],
      phase: 'pre-post' as const,
      passed: true,
      checked: 52,
      failures: [],
      items: [{ key: { peer: '1.0.0.3' }, pre: 73, post: 75, delta: 2 }, { key: { peer: '10.0.0.12' }, pre: 4, post: 4, delta: 0 }],
      truncated: 50,
    };
    const plan = threeHostPlan({ hosts: [{ ...changedHost(), checks: [passed] }] });
    assert.ok(renderPlan(plan, 'md').includes('```\nPASS no peer lost sessions (pre → post): 52 items\n  peer=1.0.0.3    pre 73  post 75  delta +2\n  peer=10.0.0.12  pre 4  post 4  delta 0\n  … and 50 more items\n```\n'), renderPlan(plan, 'md'));
    assert.ok(renderPlan(plan, 'text').includes('    PASS no peer lost sessions (pre → post): 52 items\n      peer=1.0.0.3    pre 73  post 75  delta +2\n'));
  });

  it('lists targets that were never planned', () => {
    const plan = threeHostPlan({ hosts: [changedHost()], targets: ['srx-ams-01', 'srx-ams-02'] });
    const md = renderPlan(plan, 'md');
    assert.equal(row(md, 'srx-ams-02'), '| srx-ams-02 | netops@192.0.2.32:830 | not planned | 0 | no plan was made for this host |');
    assert.ok(md.includes('- **Targets:** 2 hosts: 1 changed, 1 not planned\n'));
  });
});

describe('renderPlan: what apply --plan will do, and the digest to compare', () => {
  it('says first what apply --plan will send and to which hosts, then the full digest', () => {
    const plan = threeHostPlan();
    for (const format of ['md', 'text'] as const) {
      const lines = renderPlan(plan, format).split('\n');
      assert.match(lines[2], /^(\*\*)?apply --plan will SEND 6 statements to 1 host: srx-ams-01 \(the 2 other targets get nothing\)\.(\*\*)?$/, format);
      assert.ok(lines.slice(0, 6).some((l) => l.includes(`sha256:${plan.digest}`)), `${format} shows the digest near the top`);
    }
  });

  it('says when apply --plan would send nothing', () => {
    const text = renderPlan(threeHostPlan({ hosts: [skippedHost()] }), 'text');
    assert.equal(text.split('\n')[2], 'apply --plan will send nothing: no target has statements.');
  });
});

describe('renderPlan text', () => {
  it('contains every statement, in order, on a line of its own', () => {
    const plan = threeHostPlan();
    const lines = renderPlan(plan, 'text').split('\n');
    const statements = plan.hosts.flatMap((h) => h.actions.map((a) => a.cli));
    const found = lines.filter((l) => l.startsWith('    clear ')).map((l) => l.trim());
    assert.deepEqual(found, statements);
  });

  it('carries the header, summary and playbook without Markdown', () => {
    const text = renderPlan(threeHostPlan(), 'text');
    assert.match(text, /^Plan: Clear dead IPsec AH sessions per VPN peer\n/);
    assert.match(text, /^ {2}Playbook: +playbooks\/ah-cleanup\.yml \(sha256 [0-9a-f]{12}\)$/m);
    assert.match(text, /^ {2}srx-ams-02 {2}netops@192\.0\.2\.32:830 {2}skipped {12}0 {2}8271 AH sessions < min_total_sessions 10000$/m);
    assert.match(text, /^ {4}name: Clear dead IPsec AH sessions per VPN peer$/m);
    assert.doesNotMatch(text, /```|\*\*|<details>|\| --- \|/);
  });

  it('aligns columns, numbers to the right', () => {
    const text = renderPlan(threeHostPlan(), 'text');
    const table = text.split('\n').filter((l) => /^ {4}(peer|4\.0\.0\.)/.test(l));
    assert.deepEqual(table.slice(0, 3), ['    peer     count', '    4.0.0.2   2412', '    4.0.0.7   1388']);
  });

  it('shows control characters as escapes, not as terminal commands', () => {
    const text = renderPlan(threeHostPlan({ hosts: [hostileHost()] }), 'text');
    assert.ok(text.includes('    two\\nlines\\x1b[2J\n'));
    assert.doesNotMatch(text, /\u001b/);
  });

  it('says why a host has no statements', () => {
    const text = renderPlan(threeHostPlan(), 'text');
    assert.ok(text.includes('srx-fra-01: unreachable\n  Unreachable, so nothing is planned: timeout: srx-fra-01 (192.0.2.31:830): no answer within 20 s.\n'));
  });
});

describe('renderPlan json', () => {
  it('is the artifact, pretty-printed, and reads back as the same plan', () => {
    const plan = threeHostPlan({ hosts: [changedHost(), unreachableHost()] });
    const json = renderPlan(plan, 'json');
    assert.match(json, /^\{\n {2}"format": "runbook-plan\/2",\n {2}"digest": "[0-9a-f]{64}",\n/);
    assert.deepEqual(parsePlan(json, 'plan.json'), plan);
  });
});
