import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { readFile, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { LAB_PASSWORD } from '../../src/lab/lab.ts';
import type { Report } from '../../src/report/json-report.ts';
import { runCli } from '../helpers/cli.ts';
import { startLab } from '../helpers/lab.ts';

type StartedLab = Awaited<ReturnType<typeof startLab>>;
const WRONG = 'Wr0ng-But-Still-Secret-42';
/** The token part of a webhook URL: it must never be printed. */
const TOKEN = 'T000/B000/XXXXsecretTOKENxxxx';

interface Received {
  readonly path: string;
  readonly contentType: string | undefined;
  readonly body: string;
}

/** A webhook receiver on a loopback port; `fail` answers 503 that many times first. */
async function receiver(): Promise<{ server: Server; url: string; received: Received[]; failFirst: Map<string, number> }> {
  const received: Received[] = [];
  const failFirst = new Map<string, number>();
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const left = failFirst.get(req.url!) ?? 0;
      if (left > 0) {
        failFirst.set(req.url!, left - 1);
        res.writeHead(503).end();
        return;
      }
      received.push({ path: req.url!, contentType: req.headers['content-type'], body });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, failFirst };
}

/** A loopback port nothing listens on. */
async function deadPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe('--notify: a JSON summary POSTed at the end of a run', () => {
  let lab: StartedLab;
  let inventory: string;
  let hook: Awaited<ReturnType<typeof receiver>>;
  before(async () => {
    lab = await startLab([
      { name: 'pw-ok', scenario: 'three-peers', seed: 1 },
      { name: 'pw-wrong', scenario: 'three-peers', seed: 2 },
    ]);
    const host = (name: string, env: string) => ({ ansible_host: '127.0.0.1', ansible_port: lab.host(name).port, runbook_password_env: env, min_peer_sessions: 40 });
    inventory = join(lab.dir, 'inventory.yml');
    await writeFile(inventory, stringify({ all: { vars: { ansible_user: 'lab', runbook_known_hosts: lab.knownHostsFile, runbook_agent: false }, hosts: { 'pw-ok': host('pw-ok', 'RB_PW'), 'pw-wrong': host('pw-wrong', 'RB_WRONG') } } }));
    hook = await receiver();
  });
  after(async () => {
    hook.server.close();
    await lab.cleanup();
  });

  it('generic, Slack and Teams bodies (and the HTML report and metrics) hold no password; a retried 503 is delivered; a dead endpoint is a warning and the exit code is the run\'s', async () => {
    hook.failFirst.set('/generic', 1);
    const dead = await deadPort();
    const report = join(lab.dir, 'report.json');
    const r = await runCli(
      ['apply', 'playbooks/ah-cleanup.yml', '-i', inventory, '--report', report, '--lock-dir', lab.dir, '-q', '--html', join(lab.dir, 'run.html'), '--metrics-file', join(lab.dir, 'run.prom'),
        '--notify', `${hook.url}/generic`, '--notify', `slack+${hook.url}/slack/${TOKEN}`, '--notify', `teams+${hook.url}/teams`, '--notify', `http://127.0.0.1:${dead}/hooks/${TOKEN}`, '--notify-on', 'failure'],
      { env: { RB_PW: LAB_PASSWORD, RB_WRONG: WRONG } },
    );
    assert.equal(r.code, 4, 'unreachable, as without --notify: ' + r.stdout + r.stderr);
    assert.match(r.stderr, new RegExp(`warning: notification to http://127\\.0\\.0\\.1:${dead}/… not delivered after 3 attempts: ECONNREFUSED`));
    assert.ok(!(r.stdout + r.stderr).includes(TOKEN), 'the webhook token is never printed');

    const byPath = new Map(hook.received.map((x) => [x.path.split('/')[1], x]));
    assert.deepEqual([...byPath.keys()].sort(), ['generic', 'slack', 'teams']);
    for (const x of hook.received) {
      assert.equal(x.contentType, 'application/json');
      for (const secret of [LAB_PASSWORD, WRONG]) assert.ok(!x.body.includes(secret), `a password in the ${x.path} body`);
    }
    const pages = [await readFile(join(lab.dir, 'run.html'), 'utf8'), await readFile(join(lab.dir, 'run.prom'), 'utf8')];
    assert.ok(pages[0]!.includes('pw-wrong') && pages[1]!.includes('pw-wrong'), 'the HTML report and the metrics were written');
    for (const secret of [LAB_PASSWORD, WRONG]) assert.ok(!pages.some((p) => p.includes(secret)), 'a password in the HTML report or the metrics');
    const written = JSON.parse(await readFile(report, 'utf8')) as Report;
    const run = written.run;
    const generic = JSON.parse(byPath.get('generic')!.body);
    // The ids of the report, in every body.
    assert.match(written.runId ?? '', /^\d{8}T\d{6}Z-[0-9a-f]{8}$/);
    assert.equal(generic.runId, written.runId);
    assert.equal(generic.ticket, written.ticket);
    assert.equal(generic.format, 'runbook-notification/1');
    assert.equal(generic.outcome, 'failure');
    assert.equal(generic.exitCode, 4);
    assert.deepEqual(generic.recap, { ...run.recap, notRun: 0 });
    assert.equal(generic.statements.planned, run.hosts.reduce((n, h) => n + h.plan.length, 0));
    assert.deepEqual(generic.failedHosts.map((f: { host: string; status: string }) => [f.host, f.status]), [['pw-wrong', 'unreachable']]);
    assert.match(generic.failedHosts[0].error, /authentication as 'lab' failed/);
    assert.deepEqual(generic.changedHosts, ['pw-ok']);
    assert.equal(generic.vars, undefined);

    const slack = JSON.parse(byPath.get('slack')!.body);
    assert.match(slack.text, /^:x: runbook: .+ \(dry run\) ended with exit code 4: ok 0, changed 1, skipped 0, failed 0, unreachable 1/);
    assert.match(slack.text, /pw-wrong unreachable: /);
    assert.ok(slack.text.includes(`\nrun ${written.runId}`), slack.text);
    const teams = JSON.parse(byPath.get('teams')!.body);
    assert.equal(teams.attachments[0].contentType, 'application/vnd.microsoft.card.adaptive');
    assert.match(teams.attachments[0].content.body[0].text, /ended with exit code 4/);
    assert.ok(teams.attachments[0].content.body.some((b: { text: string }) => b.text.startsWith(`run ${written.runId}`)));
  });

  it('--notify-on failure sends nothing after a run that succeeded', async () => {
    const before = hook.received.length;
    const r = await runCli(['apply', 'playbooks/ah-cleanup.yml', '-i', inventory, '--limit', 'pw-ok', '--lock-dir', lab.dir, '-q', '--notify', `${hook.url}/quiet`, '--notify-on', 'failure'], { env: { RB_PW: LAB_PASSWORD } });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(hook.received.length, before);
  });

  it('a URL that is not http(s) is bad input: exit 2, nothing contacted, the value not repeated', async () => {
    const accepted = lab.host('pw-ok').server!.accepted;
    const r = await runCli(['apply', 'playbooks/ah-cleanup.yml', '-i', inventory, '--lock-dir', lab.dir, '--notify', `ftp://hooks.example/${TOKEN}`], { env: { RB_PW: LAB_PASSWORD } });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--notify 'ftp:\/\/hooks\.example\/…' is not an http\(s\) URL/);
    assert.ok(!r.stderr.includes(TOKEN));
    assert.equal(lab.host('pw-ok').server!.accepted, accepted, 'no device contacted');
  });

  it("the playbook's notify: a URL from the environment; unset, it is bad input before anything is contacted", async () => {
    const text = (await readFile('playbooks/ah-cleanup.yml', 'utf8')).replace(/^steps:/m, 'notify:\n  - url_env: RB_HOOK\n    format: slack\n\nsteps:');
    const playbook = join(lab.dir, 'notifying.yml');
    await writeFile(playbook, text);
    const before = hook.received.length;
    const r = await runCli(['apply', playbook, '-i', inventory, '--limit', 'pw-ok', '--lock-dir', lab.dir, '-q'], { env: { RB_PW: LAB_PASSWORD, RB_HOOK: `${hook.url}/from-playbook/${TOKEN}` } });
    assert.equal(r.code, 0, r.stderr);
    const got = hook.received.slice(before);
    assert.deepEqual(got.map((x) => x.path.split('/')[1]), ['from-playbook']);
    assert.match(JSON.parse(got[0]!.body).text, /^:white_check_mark: runbook: .+ succeeded/);

    const accepted = lab.host('pw-ok').server!.accepted;
    const unset = await runCli(['apply', playbook, '-i', inventory, '--limit', 'pw-ok', '--lock-dir', lab.dir, '-q'], { env: { RB_PW: LAB_PASSWORD } });
    assert.equal(unset.code, 2);
    assert.match(unset.stderr, /notifying\.yml: notify\[0\]\.url_env: the environment variable RB_HOOK is not set/);
    assert.equal(lab.host('pw-ok').server!.accepted, accepted, 'no device contacted');
  });

  it('a notify entry the schema refuses is located', async () => {
    const text = (await readFile('playbooks/ah-cleanup.yml', 'utf8')).replace(/^steps:/m, 'notify:\n  - url_env: RB_HOOK\n    on: sometimes\n\nsteps:');
    const playbook = join(lab.dir, 'bad-notify.yml');
    await writeFile(playbook, text);
    const r = await runCli(['validate', playbook]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /bad-notify\.yml:\d+:\d+: .*notify/);
  });
});
