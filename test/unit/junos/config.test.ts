import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkStatement, commitConfirmedRpc, commitResults, commitRpc, configurationJson, configurationOutput, loadSetRpc, normaliseDiff, rollbackRpc } from '../../../src/junos/config.ts';
import { ReplyReader } from '../../../src/transport/reply-reader.ts';
import { runBoth, runFixture, fixture } from './helpers.ts';

/** What the transport makes of a whole reply: its rpc-errors and warnings. */
function readReply(xml: string) {
  const reader = new ReplyReader('rpc-reply');
  reader.push(Buffer.from(xml));
  return reader.finish();
}

describe('configuration RPCs', () => {
  it('builds the RPCs configure exclusive sends, escaping statement text', () => {
    assert.equal(
      loadSetRpc(['set system login message "a<b & c"', 'delete security flow tcp-session fin-invalidate-session']),
      '<load-configuration action="set" format="text"><configuration-set>set system login message &quot;a&lt;b &amp; c&quot;\ndelete security flow tcp-session fin-invalidate-session</configuration-set></load-configuration>',
    );
    assert.equal(rollbackRpc(0), '<load-configuration rollback="0"/>');
    assert.equal(commitConfirmedRpc(5, 'runbook: x & y'), '<commit-configuration><confirmed/><confirm-timeout>5</confirm-timeout><log>runbook: x &amp; y</log></commit-configuration>');
    assert.equal(commitRpc(''), '<commit-configuration></commit-configuration>');
  });

  it('takes set and delete statements of one line only', () => {
    assert.equal(checkStatement('set security flow aging early-ageout 20'), undefined);
    assert.equal(checkStatement('delete security flow tcp-session fin-invalidate-session'), undefined);
    assert.match(checkStatement('set security flow { aging }') ?? '', /not a set or delete statement/);
    assert.match(checkStatement('set a; delete b') ?? '', /not a set or delete statement/);
    assert.match(checkStatement('rollback 1') ?? '', /not a set or delete statement/);
    assert.match(checkStatement('set a\nset b') ?? '', /one line/);
  });

  it('reads commit-results: success per routing engine, warnings kept, errors raised (real captures)', () => {
    const check = runFixture(commitResults, 'commit-check-results-warnings.xml');
    assert.deepEqual(check, { succeeded: ['fpc0'], other: [] });
    assert.deepEqual(runFixture(commitResults, 'commit-results-empty-ok.xml'), { succeeded: [], other: [] });
    const warned = readReply(fixture('commit-check-results-warnings.xml'));
    assert.equal(warned.errors.length, 0);
    assert.deepEqual(warned.warnings.map((w) => w.message), ["mgd: requires 'mpls' license", "mgd: requires 'bgp' license"]);
    const failed = readReply(fixture('commit-results-rpc-error-missing-mandatory.xml'));
    assert.deepEqual(failed.errors.map((e) => e.message), ["mgd: Missing mandatory statement: 'root-authentication'", 'configuration check-out failed: (missing mandatory statements)']);
  });

  it('reads load-configuration-results: warnings then ok, or errors (real captures)', () => {
    const ok = readReply(fixture('load-configuration-results-warnings-ok.xml'));
    assert.equal(ok.errors.length, 0);
    assert.deepEqual(ok.warnings.map((w) => w.message), ['statement not found', 'statement not found', 'statement not found']);
    const bad = readReply(fixture('load-configuration-results-syntax-error.xml'));
    assert.deepEqual(bad.errors.map((e) => [e.message, e.badElement]), [['syntax error', 'system1'], ['error recovery ignores input until this point', '}']]);
  });

  it('reads the compare diff from configuration-output, and an empty one as no difference', () => {
    const diff = runBoth(configurationOutput, '<rpc-reply><configuration-information><configuration-output>\n[edit security flow]\n+   aging {\n+       early-ageout 20;\n+   }\n</configuration-output></configuration-information></rpc-reply>');
    assert.equal(normaliseDiff(diff), '[edit security flow]\n+   aging {\n+       early-ageout 20;\n+   }');
    assert.equal(normaliseDiff(runBoth(configurationOutput, '<configuration-information><configuration-output>\n</configuration-output></configuration-information>')), '');
    const text = runFixture(configurationOutput, 'configuration-information-text.xml');
    assert.match(text, /host-name firefly;/);
  });

  it('gives a get-configuration reply as plain data (real capture)', () => {
    const json = runFixture(configurationJson, 'get-configuration-security-ipsec.xml') as Record<string, Record<string, Record<string, unknown>>>;
    assert.ok(json.security.ipsec, JSON.stringify(json));
    assert.ok(Object.keys(json.security.ipsec).includes('vpn'));
  });
});
