import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { asUsageError } from '../../../src/cli/input-errors.ts';
import { UsageError } from '../../../src/cli/errors.ts';
import { failureOf } from '../../../src/contracts/failure.ts';
import { InputError } from '../../../src/contracts/input-error.ts';
import { ExpressionError } from '../../../src/expr/errors.ts';
import { CredentialError, InventoryError, LimitError } from '../../../src/inventory/errors.ts';
import { RpcBuildError } from '../../../src/junos/rpc.ts';
import { TableValueError } from '../../../src/junos/table.ts';
import { PlanFileError } from '../../../src/plan/errors.ts';
import { PlaybookError } from '../../../src/playbook/errors.ts';
import { VarsError } from '../../../src/playbook/vars-error.ts';
import { SyslogTargetError } from '../../../src/report/syslog.ts';
import { RpcError, TransportError } from '../../../src/transport/errors.ts';

const at = { file: 'p.yml', line: 3, column: 5 };
const deviceError = { severity: 'error' as const, message: 'syntax error', badElement: 'protocl' };

describe('failureOf: errors become data in one place', () => {
  it('gives each typed error its kind, by class', () => {
    const kinds = [
      failureOf('connect', new TransportError('fw1', 'auth', 'denied')).kind,
      failureOf('collect', new TransportError('fw1', 'timeout', 'no reply in 30 s')).kind,
      failureOf('collect', new RpcError('fw1', 'get-x', [deviceError])).kind,
      failureOf('plan', new RpcBuildError('clear-x', 'peer', 'not an address')).kind,
      failureOf('collect', new TableValueError('flow-session', 1, 'peer', 'a/b', 'x', 'not an address')).kind,
      failureOf('analyze', new ExpressionError(at, '$x(', 'syntax error')).kind,
      failureOf('connect', new CredentialError('fw1', 'runbook_password_env', 'PW is not set')).kind,
      failureOf('act', new Error('boom')).kind,
      failureOf('act', 'a string').kind,
    ];
    assert.deepEqual(kinds, ['auth', 'timeout', 'rpc-error', 'bad-argument', 'bad-value', 'expression', 'input', 'internal', 'internal']);
  });

  it("keeps the device's own errors; an action's failure names the host, a step's starts at the RPC", () => {
    const err = new RpcError('fw1', 'get-x', [deviceError]);
    assert.deepEqual(failureOf('collect', err), {
      phase: 'collect',
      kind: 'rpc-error',
      message: 'get-x: syntax error (bad-element protocl)',
      deviceErrors: [deviceError],
    });
    assert.equal(failureOf('act', err).message, 'fw1: rpc-error: get-x: syntax error (bad-element protocl)');
  });

  it('gives the message of anything else as an internal failure', () => {
    assert.deepEqual(failureOf('verify', new RangeError('out of range')), { phase: 'verify', kind: 'internal', message: 'out of range' });
  });
});

describe('InputError: every "your input is wrong" error shares one base class', () => {
  const inputs: Error[] = [
    new PlaybookError([{ ...at, path: 'steps[0]', message: 'unknown key' }]),
    new VarsError([{ variable: 'x', source: '-e x=1', rule: 'must be a string' }]),
    new InventoryError([{ ...at, message: 'bad' }]),
    new LimitError('--limit nope matched no host'),
    new CredentialError('fw1', undefined, 'no user'),
    new SyslogTargetError('--syslog bad'),
    new ExpressionError(at, '$x(', 'syntax error'),
    new PlanFileError({ file: 'plan.json', problem: 'unreadable', issues: [] }),
    new UsageError('--forks must be a number'),
  ];

  it('is the base of each of them, and of no transport or device error', () => {
    assert.deepEqual(inputs.map((e) => e instanceof InputError), inputs.map(() => true));
    assert.equal(new TransportError('fw1', 'auth', 'denied') instanceof InputError, false);
    assert.equal(new RpcError('fw1', 'get-x', [deviceError]) instanceof InputError, false);
  });

  it('makes asUsageError turn each into a UsageError with its located text', async () => {
    for (const err of inputs) {
      await assert.rejects(
        asUsageError(async () => {
          throw err;
        }),
        (e: unknown) => e instanceof UsageError && e.message === (err as InputError).format(),
      );
    }
    await assert.rejects(
      asUsageError(async () => {
        throw new TransportError('fw1', 'auth', 'denied');
      }),
      TransportError,
    );
  });
});
