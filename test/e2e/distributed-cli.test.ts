/**
 * The coordinator's side of a distributed rollout, as a user meets it on the command line:
 * Ctrl-C at a terminal, two coordinators on one inventory, what Redis holds (never a
 * secret), bad input refused before anything is enqueued, and `runbook queue status`.
 * Each test starts its own redis-server on a loopback port, its workers as processes
 * (`runbook worker`), and lab devices in this process (so their RPC logs can be read).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { Vault } from 'ansible-vault';
import { stringify } from 'yaml';
import type { DeviceBackend } from '../../src/lab/backend.ts';
import { LAB_PASSWORD, type LabHostSpec } from '../../src/lab/lab.ts';
import type { Report } from '../../src/report/json-report.ts';
import { runCli, startCli, type StartedCli } from '../helpers/cli.ts';
import { startLab } from '../helpers/lab.ts';
import { writeLabInventory } from '../helpers/lab-inventory.ts';
import { startInPty } from '../helpers/pty.ts';
import { redisUnavailable, startRedis, type RunningRedis } from '../helpers/redis.ts';
import { freePort } from '../helpers/sshd.ts';

const skip = redisUnavailable();
type StartedLab = Awaited<ReturnType<typeof startLab>>;

/** Every reply from the device comes this late: a job stays active long enough to be seen so. */
const SLOW = { slowMs: 4000 };
/**
 * Only the SA collect (one RPC per host, acting or not) is late, and long: a job is active,
 * holding the run lock and its device lock, that long; the rest of its run goes at lab speed.
 */
const SLOW_COLLECT = { slowMs: 20_000, rpcs: ['get-security-associations-information'] };

async function tempDir(t: TestContext, name: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `runbook-dist-${name}-`));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function redisFor(t: TestContext, dir: string): Promise<RunningRedis> {
  const redis = await startRedis(join(dir, 'redis'));
  t.after(() => redis.stop());
  return redis;
}

async function labFor(t: TestContext, specs: readonly LabHostSpec[]): Promise<StartedLab> {
  const lab = await startLab(specs);
  t.after(() => lab.cleanup());
  return lab;
}

/** A `runbook worker` process, stopped (SIGKILL: the test is over) when the test ends. */
async function startWorker(t: TestContext, dir: string, redisUrl: string, name: string, args: readonly string[] = [], env: Record<string, string> = {}): Promise<StartedCli> {
  const w = await startCli(['worker', '--redis', redisUrl, '--name', name, '--audit-log', join(dir, name, 'audit.jsonl'), ...args], /serving queue/, { env, timeoutMs: 120_000 });
  t.after(() => void w.child.kill('SIGKILL'));
  return w;
}

function rpcsOf(lab: StartedLab, host: string): string[] {
  return (lab.host(host).backend as DeviceBackend).device.rpcLog.map((e) => e.rpc);
}

/** Polls `cond` (a Redis read, a file) until true; the bound only proves "it happened", generously. */
async function eventually(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > end) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The ids of the jobs waiting on a queue (BullMQ's wait list). */
function waiting(redis: RunningRedis, queue = 'default'): string[] {
  return redis.cli('LRANGE', `runbook:${queue}:wait`, '0', '-1').split('\n').filter((l) => l !== '');
}

describe('distributed rollouts from the command line', { skip }, () => {
  it('on a terminal, Ctrl-C: the waiting jobs leave Redis, the job in flight finishes, the others are not run and never contacted, the report is written, exit 130', async (t) => {
    const dir = await tempDir(t, 'ctrlc');
    const redis = await redisFor(t, dir);
    const names = ['h1', 'h2', 'h3', 'h4', 'h5'];
    const lab = await labFor(t, names.map((name, i) => ({ name, scenario: 'three-peers', seed: i + 1, faults: SLOW })));
    const inventory = await writeLabInventory(lab, Object.fromEntries(names.map((h) => [h, { min_peer_sessions: 40 }])));
    // One job at a time on the worker, three in flight for the coordinator: two wait in Redis.
    await startWorker(t, dir, redis.url, 'w1', ['--concurrency', '1']);
    const report = join(dir, 'report.json');
    const run = startInPty(['apply', 'playbooks/ah-cleanup.yml', '-i', inventory, '--redis', redis.url, '--forks', '3', '--report', report, '--lock-dir', join(dir, 'locks'), '--audit-log', join(dir, 'audit.jsonl')]);
    t.after(() => void run.child.kill('SIGKILL'));
    await run.waitFor(/h1: collect/, 120_000);
    await eventually('two jobs wait in Redis', () => waiting(redis).length === 2);
    const waitingBefore = waiting(redis);
    run.type('\x03');
    assert.equal(await run.exited, 130, run.output());
    assert.match(run.output(), /interrupted \(SIGINT\): finishing hosts in flight/);
    const rep = JSON.parse(await readFile(report, 'utf8')) as Report;
    assert.equal(rep.run.interrupted, true);
    assert.deepEqual(rep.run.hosts.map((h) => [h.host, h.status]), [['h1', 'changed']], 'the host in flight finished on its worker');
    assert.deepEqual(rep.run.notRun, ['h2', 'h3', 'h4', 'h5']);
    assert.deepEqual(waitingBefore.sort(), [`${rep.runId}-1`, `${rep.runId}-2`]);
    assert.deepEqual(waiting(redis).filter((id) => id.startsWith(`${rep.runId}-`)), [], 'no job of the run is left waiting');
    assert.equal(redis.cli('--scan', '--pattern', `runbook:default:${rep.runId}-*`).trim(), '', 'no job of the run is left in Redis');
    assert.ok(rpcsOf(lab, 'h1').includes('get-flow-session-information'));
    for (const h of ['h2', 'h3', 'h4', 'h5']) assert.deepEqual(rpcsOf(lab, h), [], `${h} was never contacted`);
  });

  it('two coordinators on one inventory: the second exits 5 naming the holder and its lock in Redis (not a file: each has its own --lock-dir); the first is unaffected; the password in --redis is shown nowhere', async (t) => {
    const dir = await tempDir(t, 'locked');
    const redis = await redisFor(t, dir);
    const password = 'rEdIsPw4242';
    redis.cli('CONFIG', 'SET', 'requirepass', password);
    const authed = (...args: string[]) => redis.cli('-a', password, ...args);
    const url = `redis://:${password}@127.0.0.1:${redis.port}`;
    const names = ['h1', 'h2'];
    const lab = await labFor(t, names.map((name, i) => ({ name, scenario: 'three-peers', seed: i + 1, faults: SLOW_COLLECT })));
    const inventory = await writeLabInventory(lab, Object.fromEntries(names.map((h) => [h, { min_peer_sessions: 40 }])));
    const worker = await startWorker(t, dir, url, 'w1', ['--concurrency', '2']);
    const acting = (n: string) => ['apply', 'playbooks/ah-cleanup.yml', '-i', inventory, '-e', 'dry_run=false', '-y', '--redis', url, '--report', join(dir, `${n}.json`), '--lock-dir', join(dir, `locks-${n}`), '--audit-log', join(dir, n, 'audit.jsonl')];
    const first = await startCli(acting('first'), /ACTING/, { timeoutMs: 120_000 });
    t.after(() => void first.child.kill('SIGKILL'));
    const firstEnded = new Promise<number | null>((resolve) => first.child.on('close', resolve));
    let lockKey = '';
    await eventually('the first run holds its lock in Redis and a job is active', () => {
      lockKey = authed('--scan', '--pattern', 'runbook:_:lock:*').trim();
      return lockKey !== '' && authed('LLEN', 'runbook:default:active').trim() !== '0';
    });
    const holder = authed('GET', lockKey);
    assert.match(holder, new RegExp(`"pid":${first.child.pid}`));
    assert.match(holder, /redis:\/\/:\*\*\*@127\.0\.0\.1/, 'the lock records the command with the password replaced');

    const second = await runCli(acting('second'));
    assert.equal(second.code, 5, second.stderr);
    assert.match(second.stderr, new RegExp(`pid ${first.child.pid} on .* holds the lock for this inventory in Redis \\(${lockKey.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\)`));
    assert.ok(!existsSync(join(dir, 'second')), 'the second run wrote no audit log: it sent nothing');
    assert.equal(authed('GET', lockKey), holder, "the second run left the first one's lock alone");

    assert.equal(await firstEnded, 0, first.output());
    const rep = JSON.parse(await readFile(join(dir, 'first.json'), 'utf8')) as Report;
    assert.deepEqual(rep.run.hosts.map((h) => [h.host, h.status, h.dryRun]), [['h1', 'changed', false], ['h2', 'changed', false]]);
    assert.equal(authed('--scan', '--pattern', 'runbook:_:lock:*').trim(), '', 'the first run released its lock');
    const seen = [first.output(), second.stdout, second.stderr, worker.output(), holder, await readFile(join(dir, 'first.json'), 'utf8'), await readFile(join(dir, 'first', 'audit.jsonl'), 'utf8')];
    for (const text of seen) assert.ok(!text.includes(password), `the Redis password appears in: ${text.slice(0, 400)}`);
  });

  it('secrets never enter Redis: a password from an environment variable and a key file, read by the worker; Redis dumped while jobs wait and run, and after', async (t) => {
    const dir = await tempDir(t, 'secrets');
    const redis = await redisFor(t, dir);
    const names = ['p1', 'p2', 'k1', 'k2'];
    const lab = await labFor(t, names.map((name, i) => ({ name, scenario: 'three-peers', seed: i + 1, faults: SLOW_COLLECT })));
    const env = 'RUNBOOK_DIST_TEST_PASSWORD';
    const host = (name: string) => ({ ansible_host: lab.host(name).address, ansible_port: lab.host(name).port, min_peer_sessions: 40 });
    const inventory = join(dir, 'hosts.yml');
    await writeFile(
      inventory,
      stringify({
        all: {
          vars: { ansible_user: 'lab', runbook_known_hosts: lab.knownHostsFile, runbook_agent: false },
          children: {
            by_password: { vars: { ansible_password: `{{ lookup('env', '${env}') }}` }, hosts: { p1: host('p1'), p2: host('p2') } },
            by_key: { vars: { ansible_ssh_private_key_file: lab.clientKeyFile }, hosts: { k1: host('k1'), k2: host('k2') } },
          },
        },
      }),
    );
    const keyBody = (await readFile(lab.clientKeyFile, 'utf8')).split('\n').filter((l) => l !== '' && !l.startsWith('-----'));
    assert.ok(keyBody.length > 0);
    const assertNoSecret = (dump: string, when: string) => {
      assert.ok(!dump.includes(LAB_PASSWORD), `${when}: the password is in Redis`);
      for (const line of keyBody) assert.ok(!dump.includes(line), `${when}: a line of the private key is in Redis`);
      assert.ok(!dump.includes(keyBody.join('')), `${when}: the private key is in Redis`);
    };
    // Two jobs run at once, two wait: every kind of job key is in Redis at the same time.
    await startWorker(t, dir, redis.url, 'w1', ['--concurrency', '2'], { [env]: LAB_PASSWORD });
    const report = join(dir, 'report.json');
    const run = await startCli(['apply', 'playbooks/ah-cleanup.yml', '-i', inventory, '-e', 'dry_run=false', '-y', '--redis', redis.url, '--forks', '4', '--report', report, '--lock-dir', join(dir, 'locks'), '--audit-log', join(dir, 'audit.jsonl')], /ACTING/, { env: { [env]: LAB_PASSWORD }, timeoutMs: 120_000 });
    t.after(() => void run.child.kill('SIGKILL'));
    const ended = new Promise<number | null>((resolve) => run.child.on('close', resolve));
    await eventually('two jobs active and two waiting', () => redis.cli('LLEN', 'runbook:default:active').trim() === '2' && waiting(redis).length === 2);
    const during = redis.dump();
    assert.match(during, new RegExp(env), 'the jobs name the environment variable');
    assert.ok(during.includes(lab.clientKeyFile), 'the jobs name the key file');
    assertNoSecret(during, 'while jobs wait and run');
    await eventually('a job is acting (its device lock held)', () => redis.cli('--scan', '--pattern', 'runbook:_:device:*').trim() !== '');
    assertNoSecret(redis.dump(), 'while a job holds its device lock');
    assert.equal(await ended, 0, run.output());
    const rep = JSON.parse(await readFile(report, 'utf8')) as Report;
    assert.deepEqual(rep.run.hosts.map((h) => [h.host, h.status, h.dryRun]), names.map((h) => [h, 'changed', false]), 'each host logged in on the worker with its own credential');
    assertNoSecret(redis.dump(), 'after the run');
  });

  it('a coordinator killed while its jobs wait: the run key it kept alive expires, and a worker that takes a job later does not run it (nothing sent)', async (t) => {
    const dir = await tempDir(t, 'orphan');
    const redis = await redisFor(t, dir);
    const lab = await labFor(t, [{ name: 'h1', scenario: 'three-peers', seed: 1 }]);
    const inventory = await writeLabInventory(lab, { h1: { min_peer_sessions: 40 } });
    // No worker yet: the acting job waits in Redis.
    const run = await startCli(['apply', 'playbooks/ah-cleanup.yml', '-i', inventory, '-e', 'dry_run=false', '-y', '--redis', redis.url, '--queue-timeout', '600', '--lock-dir', join(dir, 'locks'), '--audit-log', join(dir, 'audit.jsonl')], /ACTING/, { timeoutMs: 120_000 });
    t.after(() => void run.child.kill('SIGKILL'));
    await eventually('the job waits', () => waiting(redis).length === 1);
    const runKey = redis.cli('--scan', '--pattern', 'runbook:_:run:*').trim();
    assert.match(runKey, /^runbook:_:run:\d{8}T\d{6}Z-[0-9a-f]+$/, 'the coordinator keeps its run alive in Redis');
    const ttl = Number(redis.cli('PTTL', runKey));
    assert.ok(ttl > 0 && ttl <= 30_000, `the run key expires unless renewed (PTTL ${ttl})`);
    const ended = new Promise((resolve) => run.child.on('close', resolve));
    run.child.kill('SIGKILL');
    await ended;
    // What 30 s without renewal does, at once.
    redis.cli('DEL', runKey);
    const worker = await startWorker(t, dir, redis.url, 'w1');
    await eventually('the worker took the job and did not run it', () => /h1: job \S+ not run: the coordinator of run \S+ is gone/.test(worker.output()) || rpcsOf(lab, 'h1').length > 0);
    assert.deepEqual(rpcsOf(lab, 'h1'), [], 'the device was not contacted');
    assert.deepEqual(waiting(redis), []);
  });

  it('runbook queue status: jobs by state and the workers connected, per queue a worker serves or a job is on, as a table and as JSON', async (t) => {
    const dir = await tempDir(t, 'status');
    const redis = await redisFor(t, dir);
    const empty = await runCli(['queue', 'status', '--redis', redis.url]);
    assert.equal(empty.code, 0, empty.stderr);
    assert.match(empty.stdout, /^no queues in Redis at redis:\/\/127\.0\.0\.1:\d+/);
    const names = ['a1', 'a2', 'a3', 'n1', 'n2'];
    // a1 stays in its collect for the whole test (well within the RPC timeout), so a2 and a3 wait behind it.
    const lab = await labFor(t, names.map((name, i) => ({ name, scenario: 'three-peers', seed: i + 1, ...(name === 'a1' ? { faults: { slowMs: 100_000, rpcs: ['get-flow-session-information'] } } : {}) })));
    // a1-a3 on queue ams (one worker, one job at a time); n1, n2 on a queue no worker serves.
    const inventory = await writeLabInventory(lab, Object.fromEntries(names.map((h) => [h, { min_peer_sessions: 40, runbook_queue: h.startsWith('a') ? 'ams' : 'nowhere' }])));
    await startWorker(t, dir, redis.url, 'w-ams', ['--queue', 'ams', '--concurrency', '1']);
    await startWorker(t, dir, redis.url, 'w-other', ['--queue', 'default', '--queue', 'spare']);
    const run = await startCli(['apply', 'playbooks/ah-cleanup.yml', '-i', inventory, '--redis', redis.url, '--forks', '5', '--queue-timeout', '600', '--report', join(dir, 'report.json'), '--audit-log', join(dir, 'audit.jsonl')], /DRY RUN/, { timeoutMs: 120_000 });
    t.after(() => void run.child.kill('SIGKILL'));
    await eventually('one job active on ams, two waiting, two waiting on nowhere', () => redis.cli('LLEN', 'runbook:ams:active').trim() === '1' && waiting(redis, 'ams').length === 2 && waiting(redis, 'nowhere').length === 2);

    const json = await runCli(['queue', 'status', '--redis', redis.url, '--json']);
    assert.equal(json.code, 0, json.stderr);
    const zero = { waiting: 0, active: 0, completed: 0, failed: 0, delayed: 0 };
    assert.deepEqual(JSON.parse(json.stdout), {
      redis: redis.url,
      queues: [
        { name: 'ams', jobs: { ...zero, waiting: 2, active: 1 }, workers: ['w-ams'] },
        { name: 'default', jobs: zero, workers: ['w-other'] },
        { name: 'nowhere', jobs: { ...zero, waiting: 2 }, workers: [] },
        { name: 'spare', jobs: zero, workers: ['w-other'] },
      ],
    });
    const table = await runCli(['queue', 'status', '--redis', redis.url]);
    assert.equal(table.code, 0, table.stderr);
    assert.deepEqual(table.stdout.split('\n').slice(1, 6), [
      'QUEUE    WAITING  ACTIVE  COMPLETED  FAILED  DELAYED  WORKERS',
      'ams            2       1          0       0        0  w-ams',
      'default        0       0          0       0        0  w-other',
      'nowhere        2       0          0       0        0  (none)',
      'spare          0       0          0       0        0  w-other',
    ]);
    assert.deepEqual(rpcsOf(lab, 'n1'), [], 'reading the status moves no job');
    assert.equal(waiting(redis, 'nowhere').length, 2);
  });

  it('runbook queue status: an unreachable Redis or a bad URL is exit 2 naming --redis, the password not shown', async () => {
    const port = await freePort();
    const down = await runCli(['queue', 'status', '--redis', `redis://:hunter2secret@127.0.0.1:${port}`]);
    assert.equal(down.code, 2);
    assert.match(down.stderr, new RegExp(`^runbook: --redis redis://:\\*\\*\\*@127\\.0\\.0\\.1:${port}: cannot reach Redis: connect ECONNREFUSED`));
    assert.doesNotMatch(down.stdout + down.stderr, /hunter2secret/);
    const bad = await runCli(['queue', 'status', '--redis', 'http://x']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^runbook: --redis: the scheme must be redis:\/\//);
  });

  describe('bad input changes nothing: exit 2, nothing enqueued, nothing contacted', () => {
    /** Two lab hosts in a YAML inventory (key file, as writeLabInventory), with extra vars per host. */
    async function inventoryWith(lab: StartedLab, dir: string, extra: Record<string, string>): Promise<string> {
      const file = join(dir, 'hosts.yml');
      const hosts = lab.hosts.map((h) => `    ${h.spec.name}:\n      ansible_host: ${h.address}\n      ansible_port: ${h.port}\n      min_peer_sessions: 40\n${extra[h.spec.name] ?? ''}`).join('');
      await writeFile(file, `all:\n  vars:\n    ansible_user: lab\n    ansible_ssh_private_key_file: ${lab.clientKeyFile}\n    runbook_known_hosts: ${lab.knownHostsFile}\n  hosts:\n${hosts}`);
      return file;
    }
    const outputs = (dir: string, name: string) => ['--lock-dir', join(dir, 'locks'), '--audit-log', join(dir, name, 'audit.jsonl'), '--report', join(dir, `${name}.json`)];

    function assertUntouched(lab: StartedLab, redis: RunningRedis | undefined, dir: string, name: string): void {
      for (const h of lab.hosts) assert.deepEqual(rpcsOf(lab, h.spec.name), [], `${h.spec.name} was contacted`);
      if (redis) assert.equal(redis.dump(), '', 'Redis holds nothing: no job, no playbook, no lock');
      assert.ok(!existsSync(join(dir, `${name}.json`)), 'no report');
    }

    it('a password decrypted from Ansible Vault: the refusal points at the host and its ansible_password line, acting or not; Redis is left empty (the run lock released too)', async (t) => {
      const dir = await tempDir(t, 'vault');
      const redis = await redisFor(t, dir);
      const lab = await labFor(t, [{ name: 'h1', scenario: 'three-peers', seed: 1 }, { name: 'h2', scenario: 'three-peers', seed: 2 }]);
      const vaulted = new Vault({ password: 'vault-pw' }).encryptSync(LAB_PASSWORD, undefined as unknown as string);
      const inventory = await inventoryWith(lab, dir, { h2: `      ansible_password: !vault |\n${vaulted.split('\n').map((l) => `        ${l}`).join('\n')}\n` });
      const passFile = join(dir, 'vault-pass.txt');
      await writeFile(passFile, 'vault-pw\n');
      for (const [name, args] of [
        ['acting', ['apply', 'playbooks/ah-cleanup.yml', '-e', 'dry_run=false', '-y']],
        ['dry', ['apply', 'playbooks/ah-cleanup.yml']],
        ['plan', ['plan', 'playbooks/ah-cleanup.yml', '--out', join(dir, 'plan.json')]],
      ] as const) {
        const r = await runCli([...args, '-i', inventory, '--vault-password-file', passFile, '--redis', redis.url, ...(name === 'plan' ? ['--audit-log', join(dir, name, 'audit.jsonl')] : outputs(dir, name))]);
        assert.equal(r.code, 2, `${name}: ${r.stderr}`);
        assert.match(r.stderr, new RegExp(`${inventory.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:15:7: --redis: host h2: its password is known only to this process \\(decrypted from Ansible Vault.*nothing was enqueued`), name);
        assert.doesNotMatch(r.stdout + r.stderr, new RegExp(LAB_PASSWORD));
        assertUntouched(lab, redis, dir, name);
        assert.ok(!existsSync(join(dir, 'plan.json')), 'no plan written');
      }
    });

    it('a bad runbook_queue value: exit 2 at its line, Redis left empty', async (t) => {
      const dir = await tempDir(t, 'queue-var');
      const redis = await redisFor(t, dir);
      const lab = await labFor(t, [{ name: 'h1', scenario: 'three-peers', seed: 1 }, { name: 'h2', scenario: 'three-peers', seed: 2 }]);
      const inventory = await inventoryWith(lab, dir, { h2: '      runbook_queue: "eu:west"\n' });
      const r = await runCli(['apply', 'playbooks/ah-cleanup.yml', '-i', inventory, '--redis', redis.url, ...outputs(dir, 'run')]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /hosts\.yml:15:7: --redis: host h2: runbook_queue: a queue name is 1 to 64 letters.*\(got "eu:west"\); nothing was enqueued/);
      assertUntouched(lab, redis, dir, 'run');
    });

    it('Redis not reachable (a closed port): exit 2 naming --redis, acting or not, nothing contacted; the password in the URL is not shown', async (t) => {
      const dir = await tempDir(t, 'no-redis');
      const lab = await labFor(t, [{ name: 'h1', scenario: 'three-peers', seed: 1 }]);
      const inventory = await writeLabInventory(lab, { h1: { min_peer_sessions: 40 } });
      const port = await freePort();
      for (const [name, args] of [
        ['acting', ['-e', 'dry_run=false', '-y']],
        ['dry', []],
      ] as const) {
        const r = await runCli(['apply', 'playbooks/ah-cleanup.yml', '-i', inventory, ...args, '--redis', `redis://:hunter2secret@127.0.0.1:${port}`, ...outputs(dir, name)]);
        assert.equal(r.code, 2, `${name}: ${r.stderr}`);
        assert.match(r.stderr, new RegExp(`--redis redis://:\\*\\*\\*@127\\.0\\.0\\.1:${port}: (cannot reach Redis|cannot take the run lock).*(nothing was enqueued|nothing was contacted)`), name);
        assert.doesNotMatch(r.stdout + r.stderr, /hunter2secret/);
        assertUntouched(lab, undefined, dir, name);
      }
    });

    it('--redis not a redis:// URL: exit 2 naming --redis', async (t) => {
      const dir = await tempDir(t, 'bad-url');
      for (const [url, why] of [
        ['http://x', /--redis: the scheme must be redis:\/\/ or rediss:\/\/ \(got http:\/\/\)/],
        ['redis://127.0.0.1:6379/zero', /--redis: the database must be a number/],
        ['localhost:6379', /--redis: /],
      ] as const) {
        const r = await runCli(['apply', 'playbooks/ah-cleanup.yml', '--redis', url, ...outputs(dir, 'run')]);
        assert.equal(r.code, 2, r.stderr);
        assert.match(r.stderr, why);
      }
    });

    it('the built-in lab (the default inventory): exit 2 telling to serve the lab with `runbook lab serve --inventory-out`', async (t) => {
      const dir = await tempDir(t, 'default-lab');
      const redis = await redisFor(t, dir);
      const r = await runCli(['apply', 'playbooks/ah-cleanup.yml', '--redis', redis.url, ...outputs(dir, 'run')]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /inventory\/lab\.yml:\d+:\d+: --redis: host lab-srx-01 is a lab device this process would start .*`runbook lab serve --inventory-out lab-hosts\.yml` and run with -i lab-hosts\.yml; nothing was enqueued/);
      assert.equal(redis.dump(), '');
    });
  });
});
