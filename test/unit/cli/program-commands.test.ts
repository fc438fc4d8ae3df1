import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Command, Help } from 'commander';
import { buildProgram, commandNamed, COMMANDS } from '../../../src/cli/program.ts';

describe('the command table (commands load only when named)', () => {
  it('lists each command as its module defines it', async () => {
    for (const entry of COMMANDS) {
      const root = new Command('runbook');
      (await entry.load())(root);
      const loaded = root.commands.find((c) => c.name() === entry.name);
      assert.ok(loaded, `${entry.name}: its module defines no command of that name`);
      assert.equal(entry.term, new Help().subcommandTerm(loaded), `${entry.name}: the term in the table`);
      assert.equal(entry.description, loaded.description(), `${entry.name}: the description in the table`);
    }
  });

  it('gives the same root help with no command loaded as with all of them', async () => {
    const none = await buildProgram(new Set());
    const all = await buildProgram();
    assert.equal(none.helpInformation(), all.helpInformation());
    assert.match(none.helpInformation(), /^ {2}apply \[options\] \[playbook\] +Run a playbook/m);
  });

  it('defines in full only the command named', async () => {
    const program = await buildProgram(new Set(['validate']));
    const argumentsOf = (name: string) => program.commands.find((c) => c.name() === name)!.registeredArguments.length;
    assert.equal(argumentsOf('validate'), 1);
    assert.equal(argumentsOf('apply'), 0);
  });

  it('finds the command a command line names', () => {
    assert.equal(commandNamed(['apply', 'playbooks/ah-cleanup.yml', '--check']), 'apply');
    assert.equal(commandNamed(['--help']), undefined);
    assert.equal(commandNamed([]), undefined);
    assert.equal(commandNamed(['help', 'lab']), 'lab');
    assert.equal(commandNamed(['lab', 'serve', '--hosts', '3']), 'lab');
  });
});
