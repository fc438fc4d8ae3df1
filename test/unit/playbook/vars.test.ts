import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { loadPlaybook, parsePlaybook } from '../../../src/playbook/load.ts';
import type { Playbook } from '../../../src/playbook/types.ts';
import { parseExtraVars, resolveVars, VarsError, type ExtraVar } from '../../../src/playbook/vars.ts';

async function varsError(work: () => unknown): Promise<VarsError> {
  try {
    await work();
  } catch (err) {
    assert.ok(err instanceof VarsError, `expected a VarsError, got ${String(err)}`);
    return err;
  }
  assert.fail('no VarsError');
}

describe('parseExtraVars', () => {
  const dir = mkdtempSync(join(tmpdir(), 'runbook-vars-'));

  it('reads k=v and several pairs in one argument, with shell quoting', async () => {
    assert.deepStrictEqual(await parseExtraVars(['dry_run=false', `top_peers=5 label='two words' note="a \\"q\\"" empty=`]), [
      { name: 'dry_run', value: 'false', origin: '-e' },
      { name: 'top_peers', value: '5', origin: '-e' },
      { name: 'label', value: 'two words', origin: '-e' },
      { name: 'note', value: 'a "q"', origin: '-e' },
      { name: 'empty', value: '', origin: '-e' },
    ]);
    assert.deepStrictEqual(await parseExtraVars(['url=http://x/?a=b']), [{ name: 'url', value: 'http://x/?a=b', origin: '-e' }]);
  });

  it('reads inline JSON and YAML mappings with their types', async () => {
    assert.deepStrictEqual(await parseExtraVars(['{"top_peers": 5, "dry_run": false}', 'min_peer_sessions: 60']), [
      { name: 'top_peers', value: 5, origin: '-e' },
      { name: 'dry_run', value: false, origin: '-e' },
      { name: 'min_peer_sessions', value: 60, origin: '-e' },
    ]);
  });

  it('reads @file (YAML or JSON)', async () => {
    const yml = join(dir, 'vars.yml');
    writeFileSync(yml, 'top_peers: 7\ndry_run: no\n');
    const json = join(dir, 'vars.json');
    writeFileSync(json, '{"min_total_sessions": 6000}');
    assert.deepStrictEqual(await parseExtraVars([`@${yml}`, `@${json}`]), [
      { name: 'top_peers', value: 7, origin: `-e @${yml}` },
      { name: 'dry_run', value: 'no', origin: `-e @${yml}` },
      { name: 'min_total_sessions', value: 6000, origin: `-e @${json}` },
    ]);
  });

  it('says what is wrong with an argument it cannot read', async () => {
    assert.equal((await varsError(() => parseExtraVars(['dry_run']))).message, "-e dry_run: expected k=v, 'k1=v1 k2=v2', @file or a JSON/YAML mapping");
    assert.equal((await varsError(() => parseExtraVars(['@/no/such/vars.yml']))).message, '-e @/no/such/vars.yml: cannot read the file: no such file');
    assert.equal((await varsError(() => parseExtraVars(['{"a": 1'])))?.source, '-e {"a": 1');
    assert.equal((await varsError(() => parseExtraVars(["a='open"]))).rule, 'unclosed \' quote');
    const list = join(dir, 'list.yml');
    writeFileSync(list, '- 1\n- 2\n');
    assert.equal((await varsError(() => parseExtraVars([`@${list}`]))).message, `-e @${list}: must be a mapping of var names to values`);
  });
});

describe('resolveVars', () => {
  let seed: Playbook;
  before(async () => {
    seed = await loadPlaybook('playbooks/ah-cleanup.yml');
  });
  const e = (name: string, value: unknown, origin = '-e'): ExtraVar => ({ name, value, origin });

  it('defaults < inventory host vars < -e, the last -e winning', () => {
    assert.deepStrictEqual(resolveVars(seed, { extra: [] }), { min_total_sessions: 10000, min_peer_sessions: 1000, top_peers: 3, dry_run: true });
    const inventory = { top_peers: 5, dry_run: 'false', ansible_host: '10.0.0.1', min_peer_sessions: '2000' };
    assert.deepStrictEqual(resolveVars(seed, { inventory, extra: [] }), { min_total_sessions: 10000, min_peer_sessions: 2000, top_peers: 5, dry_run: false });
    assert.deepStrictEqual(resolveVars(seed, { inventory, extra: [e('top_peers', '7'), e('dry_run', 'yes'), e('top_peers', '9')] }), {
      min_total_sessions: 10000,
      min_peer_sessions: 2000,
      top_peers: 9,
      dry_run: true,
    });
  });

  it('converts -e text by the declared type: booleans from words, integers strictly', async () => {
    for (const [text, value] of [['false', false], ['no', false], ['0', false], ['off', false], ['True', true], ['YES', true], ['1', true]] as const) {
      assert.equal(resolveVars(seed, { extra: [e('dry_run', text)] }).dry_run, value, text);
    }
    for (const text of ['1e2', '10.0', '0x10', 'ten', '', '5 5']) {
      const err = await varsError(() => resolveVars(seed, { extra: [e('top_peers', text)] }));
      assert.equal(err.message, `-e top_peers=${text}: '${text}' is not an integer`);
    }
    assert.equal((await varsError(() => resolveVars(seed, { extra: [e('dry_run', 'maybe')] }))).rule, "'maybe' is not a boolean (true/false, yes/no, on/off, 1/0)");
    assert.equal((await varsError(() => resolveVars(seed, { extra: [e('top_peers', 2.5, '-e @v.yml')] }))).message, '-e @v.yml: top_peers=2.5: 2.5 is not an integer');
  });

  it("applies the seed's command-line bounds to -e values only", async () => {
    const low = await varsError(() => resolveVars(seed, { extra: [e('min_peer_sessions', '40')] }));
    assert.equal(low.message, '-e min_peer_sessions=40: must be greater than 50 when given with -e');
    assert.deepStrictEqual([low.variable, low.source, low.rule], ['min_peer_sessions', '-e min_peer_sessions=40', 'must be greater than 50 when given with -e']);
    assert.equal((await varsError(() => resolveVars(seed, { extra: [e('min_total_sessions', '5000')] }))).message, '-e min_total_sessions=5000: must be greater than 5000 when given with -e');
    assert.deepStrictEqual(resolveVars(seed, { extra: [e('min_total_sessions', '5001'), e('min_peer_sessions', '51')] }), { min_total_sessions: 5001, min_peer_sessions: 51, top_peers: 3, dry_run: true });
    // The inventory is not the command line: only the var's own bounds apply.
    assert.equal(resolveVars(seed, { inventory: { min_peer_sessions: 40 }, extra: [] }).min_peer_sessions, 40);
  });

  it('checks the bounds on every value, naming where it came from', async () => {
    const inv = await varsError(() => resolveVars(seed, { inventory: { top_peers: 0 }, inventoryAt: 'inventory/lab.yml:12', extra: [] }));
    assert.equal(inv.message, 'inventory/lab.yml:12: host var top_peers=0: must be at least 1');
    assert.equal((await varsError(() => resolveVars(seed, { extra: [e('top_peers', '101')] }))).message, '-e top_peers=101: must be at most 100');
  });

  it('reports -e names the playbook does not declare, with the declared ones', async () => {
    const err = await varsError(() => resolveVars(seed, { extra: [e('top', '3')] }));
    assert.equal(err.message, "-e top=3: the playbook declares no var 'top' (declared vars: min_total_sessions, min_peer_sessions, top_peers, dry_run)");
  });

  it('reports every problem at once', async () => {
    const err = await varsError(() => resolveVars(seed, { extra: [e('nope', '1'), e('top_peers', 'x'), e('min_peer_sessions', '10')] }));
    assert.equal(err.name, 'VarsError');
    assert.deepStrictEqual(err.format().split('\n'), [
      "-e nope=1: the playbook declares no var 'nope' (declared vars: min_total_sessions, min_peer_sessions, top_peers, dry_run)",
      '-e min_peer_sessions=10: must be greater than 50 when given with -e',
      "-e top_peers=x: 'x' is not an integer",
    ]);
  });

  it('shorthand vars, enums and strings', async () => {
    const p = parsePlaybook('name: x\nvars:\n  label: lab\n  ratio: 0.5\n  mode: { type: string, default: fast, enum: [fast, slow] }\nsteps:\n  - name: Version\n    collect: { rpc: get-software-information, item: software-information, fields: { host: host-name } }\n', 'x.yml');
    assert.deepStrictEqual(p.vars.map((v) => [v.name, v.type, v.default]), [['label', 'string', 'lab'], ['ratio', 'number', 0.5], ['mode', 'string', 'fast']]);
    assert.deepStrictEqual(resolveVars(p, { extra: [e('label', '42'), e('ratio', '1.25'), e('mode', 'slow')] }), { label: '42', ratio: 1.25, mode: 'slow' });
    assert.equal((await varsError(() => resolveVars(p, { extra: [e('mode', 'medium')] }))).message, '-e mode=medium: must be one of: fast, slow');
    assert.equal(resolveVars(p, { inventory: { label: 7 }, extra: [] }).label, '7');
  });
});
