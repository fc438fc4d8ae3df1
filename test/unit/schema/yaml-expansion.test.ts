import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDocument } from 'yaml';
import { aliasExpansionProblem } from '../../../src/schema/yaml-expansion.ts';
import { aliasBomb } from '../../helpers/yaml-bomb.ts';

describe('aliasExpansionProblem', () => {
  it('refuses a billion-laughs document at the alias that crosses the limit, without expanding it', () => {
    const text = aliasBomb();
    const problem = aliasExpansionProblem(parseDocument(text));
    assert.ok(problem, 'the bomb is found');
    assert.match(problem.message, /more than 100,000 values/);
    const line = text.slice(0, problem.offset).split('\n').length;
    assert.equal(line, 6, 'the first alias whose expansion crosses 100,000 sits on the sixth level');
    assert.equal(text[problem.offset], '*');
  });

  it('lets the merges and repeats of a real inventory through, however many hosts it has', () => {
    const hosts = Array.from({ length: 2000 }, (_, i) => `    fw${i}: { <<: *defaults, ansible_host: 10.0.${i >> 8}.${i & 255} }`).join('\n');
    const text = `all:\n  vars: &defaults { ansible_port: 830, ansible_user: ops, runbook_password_env: PW }\n  hosts:\n${hosts}\n`;
    const doc = parseDocument(text, { merge: true });
    assert.equal(aliasExpansionProblem(doc), undefined);
    // The limit grows with the document: 14,000 merged values in a document of 2000 hosts
    // pass even a limit of 1000, so a big inventory is never refused for its merges.
    assert.equal(aliasExpansionProblem(doc, 1000), undefined);
  });

  it('counts an alias cycle once instead of looping', () => {
    const doc = parseDocument('a: &a [1, *a]\n');
    assert.equal(aliasExpansionProblem(doc), undefined);
  });
});
