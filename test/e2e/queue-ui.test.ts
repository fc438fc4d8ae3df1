/**
 * `runbook queue ui`: Bull Board over the queues of a real distributed rollout, read in
 * headless Chromium. A private redis-server (password required), lab devices in this
 * process, a worker serving queue `ams` (its job completes) and none serving `nowhere`
 * (its jobs wait), the coordinator's own enqueue path (`apply --redis`). The board is
 * started on the empty Redis first, so the queues it shows are the ones it found later.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { stringify } from 'yaml';
import { LAB_PASSWORD } from '../../src/lab/lab.ts';
import { runCli, startCli, type StartedCli } from '../helpers/cli.ts';
import { startLab } from '../helpers/lab.ts';
import { redisUnavailable, startRedis } from '../helpers/redis.ts';
import { freePort } from '../helpers/sshd.ts';

const CHROMIUM = process.env.RUNBOOK_CHROMIUM ?? '/usr/bin/chromium';
const noChromium = existsSync(CHROMIUM) ? undefined : `no Chromium at ${CHROMIUM} (Debian: apt-get install chromium; .ci/run installs it)`;
const noRedis = redisUnavailable();

const REDIS_PASSWORD = 'qUeUeUiRedisPw77';
const ENV = 'RUNBOOK_QUEUE_UI_TEST_PASSWORD';
const URL_LINE = /runbook queue ui: Bull Board \(read-only\) for (\d+) queues? in Redis at (\S+): (http:\/\/127\.0\.0\.1:\d+\/)\n/;

async function tempDir(t: TestContext, name: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `runbook-queue-ui-${name}-`));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Polls `cond` until true; the bound only proves "it happened", generously. */
async function eventually(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > end) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function exitOf(cli: StartedCli): Promise<number | null> {
  return new Promise((resolve) => (cli.child.exitCode !== null ? resolve(cli.child.exitCode) : cli.child.on('close', resolve)));
}

/** The page's text, once it contains every one of `texts` (the board polls its API). */
async function textOnceShowing(page: Page, texts: readonly string[]): Promise<string> {
  await page.waitForFunction((want) => want.every((t) => document.body.innerText.includes(t)), texts, { timeout: 60_000 });
  return page.innerText('body');
}

describe('runbook queue ui: Bull Board in a browser', { skip: noRedis ?? noChromium ?? false }, () => {
  it('lists the queues found in Redis after it started, their job counts and the jobs by host; the page and every API answer it got hold no secret; read-only (no retry, clean or add: 405, nothing moves); Redis gone is one line; SIGTERM exits 0', async (t) => {
    const dir = await tempDir(t, 'board');
    const redis = await startRedis(join(dir, 'redis'));
    t.after(() => redis.stop());
    redis.cli('CONFIG', 'SET', 'requirepass', REDIS_PASSWORD);
    const authed = (...args: string[]) => redis.cli('-a', REDIS_PASSWORD, ...args).trim();
    const url = `redis://:${REDIS_PASSWORD}@127.0.0.1:${redis.port}`;

    // Started on an empty Redis: the queues appear while it runs.
    const ui = await startCli(['queue', 'ui', '--redis', url], URL_LINE, { timeoutMs: 60_000 });
    t.after(() => void ui.child.kill('SIGKILL'));
    const [, count, shownRedis, board] = URL_LINE.exec(ui.output())!;
    assert.equal(count, '0');
    assert.equal(shownRedis, `redis://:***@127.0.0.1:${redis.port}`);

    // a1 on ams, served by a worker; n1 (a password from the environment) and n2 (a key file) on nowhere, which no worker serves.
    // a1 stays in its collect for the whole test (well within the RPC timeout): its job is active while the page is read.
    const lab = await startLab(['a1', 'n1', 'n2'].map((name, i) => ({ name, scenario: 'three-peers', seed: i + 1, ...(name === 'a1' ? { faults: { slowMs: 100_000, rpcs: ['get-flow-session-information'] } } : {}) })));
    t.after(() => lab.cleanup());
    const host = (name: string, vars: Record<string, unknown>) => ({ ansible_host: lab.host(name).address, ansible_port: lab.host(name).port, min_peer_sessions: 40, ...vars });
    const inventory = join(dir, 'hosts.yml');
    await writeFile(
      inventory,
      stringify({
        all: {
          vars: { ansible_user: 'lab', runbook_known_hosts: lab.knownHostsFile, runbook_agent: false },
          hosts: {
            a1: host('a1', { ansible_ssh_private_key_file: lab.clientKeyFile, runbook_queue: 'ams' }),
            n1: host('n1', { ansible_password: `{{ lookup('env', '${ENV}') }}`, runbook_queue: 'nowhere' }),
            n2: host('n2', { ansible_ssh_private_key_file: lab.clientKeyFile, runbook_queue: 'nowhere' }),
          },
        },
      }),
    );
    const worker = await startCli(['worker', '--redis', url, '--queue', 'ams', '--name', 'w-ams', '--audit-log', join(dir, 'w-ams', 'audit.jsonl')], /serving queue/, { timeoutMs: 120_000 });
    t.after(() => void worker.child.kill('SIGKILL'));
    const run = await startCli(['apply', 'playbooks/ah-cleanup.yml', '-i', inventory, '--redis', url, '--forks', '3', '--queue-timeout', '600', '--report', join(dir, 'report.json'), '--lock-dir', join(dir, 'locks'), '--audit-log', join(dir, 'audit.jsonl')], /DRY RUN/, { env: { [ENV]: LAB_PASSWORD }, timeoutMs: 120_000 });
    t.after(() => void run.child.kill('SIGKILL'));
    await eventually('a1 active on ams, n1 and n2 wait on nowhere', () => authed('LLEN', 'runbook:ams:active') === '1' && authed('LLEN', 'runbook:nowhere:wait') === '2', 120_000).catch((err: Error) => {
      throw new Error(`${err.message}\nRedis keys: ${authed('KEYS', '*')}\nworker: ${worker.output()}\ncoordinator: ${run.output()}`);
    });

    const { chromium } = await import('playwright-core');
    const browser: Browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
    t.after(() => browser.close());
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    // Only the board is reachable (Bull Board's page also asks Google for a font); everything it answered is kept.
    await page.route((u) => !u.href.startsWith(board!), (route) => route.abort());
    const answers: Promise<string>[] = [];
    page.on('response', (res) => void (res.url().startsWith(board!) && answers.push(res.text().catch(() => ''))));
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));

    await page.goto(board!);
    // The overview: both queues, found by the board's rescan after it started.
    const overview = await textOnceShowing(page, ['ams', 'nowhere']);
    assert.match(overview, /runbook queues \(redis:\/\/:\*\*\*@127\.0\.0\.1:\d+\)/, 'the title names Redis, the password hidden');

    await page.goto(`${board}queue/nowhere?status=waiting`);
    const waitingPage = await textOnceShowing(page, ['n1', 'n2']);
    // A status tab: its label and the count in its badge.
    const tabCount = async (status: string) => {
      const tab = page.locator(`a[href$="?status=${status}"]`);
      return `${await tab.locator('[data-text]').innerText()} ${await tab.locator('[class*="badge"]').innerText()}`;
    };
    assert.equal(await tabCount('waiting'), 'WAITING 2', waitingPage);

    await page.goto(`${board}queue/ams?status=active`);
    const activePage = await textOnceShowing(page, ['a1']);
    assert.equal(await tabCount('active'), 'ACTIVE 1', activePage);
    // Read-only: no button that would move a job.
    for (const label of [/retry/i, /clean/i, /add job/i, /promote/i, /empty/i, /pause/i, /obliterate/i]) {
      assert.equal(await page.getByRole('button', { name: label }).count(), 0, `a ${label} button on the page`);
    }
    // And its API refuses them too: nothing moves in Redis.
    const send = async (method: string, path: string, body?: unknown) => (await fetch(board + path, { method, headers: { 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) })).status;
    const refused = [await send('PUT', 'api/queues/ams/retry/completed'), await send('PUT', 'api/queues/ams/clean/completed'), await send('POST', 'api/queues/nowhere/add', { name: 'x', data: {} }), await send('PUT', 'api/queues/nowhere/empty')];
    assert.deepEqual(refused, [405, 405, 405, 405]);
    assert.equal(authed('LLEN', 'runbook:ams:active'), '1');
    assert.equal(authed('LLEN', 'runbook:nowhere:wait'), '2');
    assert.deepEqual(errors, []);

    // No secret in what the browser got: the jobs carry the variable's name and the key file's path only.
    const got = (await Promise.all(answers)).join('\n') + (await page.content());
    assert.ok(got.includes(ENV), 'the job data (shown by the board) names the environment variable');
    assert.ok(got.includes(lab.clientKeyFile), 'the job data names the key file');
    const keyBody = (await readFile(lab.clientKeyFile, 'utf8')).split('\n').filter((l) => l !== '' && !l.startsWith('-----'));
    for (const [what, secret] of [['the device password', LAB_PASSWORD], ['the Redis password', REDIS_PASSWORD], ...keyBody.map((l) => ['a line of the private key', l])] as const) {
      assert.ok(!got.includes(secret), `${what} reached the browser`);
    }
    assert.ok(!ui.output().includes(REDIS_PASSWORD), 'the Redis password in the command output');

    // Redis goes away while it serves: one line says so, not BullMQ's error with its stack at each reconnection.
    await redis.stop();
    await eventually('the board says Redis is gone', () => /runbook queue ui: Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+: connect ECONNREFUSED [^\n]*; retrying/.test(ui.output()));

    // SIGTERM: stops serving, closes Redis, and the process ends by itself (nothing left open) with 0.
    const ended = exitOf(ui);
    ui.child.kill('SIGTERM');
    assert.equal(await ended, 0, ui.output());
    assert.match(ui.output(), /runbook queue ui: SIGTERM: stopped\n$/);
    assert.equal(ui.output().match(/runbook queue ui: Redis at/g)?.length, 1, ui.output());
    assert.doesNotMatch(ui.output(), /\n\s+at /, 'no stack trace');
    await assert.rejects(fetch(board!), 'the board no longer answers');
  });
});

describe('runbook queue ui: bad input is exit 2, one line naming the option', () => {
  it('a bad --redis URL; Redis down (the password not shown); a --listen that is not HOST:PORT; a --listen address in use (Redis not contacted)', async () => {
    const bad = await runCli(['queue', 'ui', '--redis', 'http://x']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^runbook: --redis: the scheme must be redis:\/\/ or rediss:\/\/ \(got http:\/\/\)\n$/);

    const downPort = await freePort();
    const down = await runCli(['queue', 'ui', '--redis', `redis://:hunter2secret@127.0.0.1:${downPort}`]);
    assert.equal(down.code, 2);
    assert.match(down.stderr, new RegExp(`^runbook: --redis redis://:\\*\\*\\*@127\\.0\\.0\\.1:${downPort}: cannot reach Redis: connect ECONNREFUSED[^\\n]*\\n$`));
    assert.doesNotMatch(down.stdout + down.stderr, /hunter2secret/);
    assert.equal(down.stdout, '', 'no URL printed: nothing served');

    const garbled = await runCli(['queue', 'ui', '--redis', `redis://127.0.0.1:${downPort}`, '--listen', 'localhost:http']);
    assert.equal(garbled.code, 2);
    assert.match(garbled.stderr, /^runbook: option '--listen <host:port>' argument 'localhost:http' is invalid\. 'localhost:http' is not HOST:PORT[^\n]*\n$/);

    // The port is taken; Redis is down, and the error is about --listen: the address is tried first, Redis not contacted.
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const port = (taken.address() as { port: number }).port;
      const inUse = await runCli(['queue', 'ui', '--redis', `redis://127.0.0.1:${downPort}`, '--listen', `127.0.0.1:${port}`]);
      assert.equal(inUse.code, 2);
      assert.equal(inUse.stderr, `runbook: --listen: cannot listen on 127.0.0.1:${port}: the address is in use\n`);
      assert.equal(inUse.stdout, '');
    } finally {
      taken.close();
    }
  });
});
