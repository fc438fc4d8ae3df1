/**
 * Writes one reply file in a process of its own, so the bench's own process stays small
 * (children spawned with vfork start from their parent's RSS).
 * `node --import tsx bench/parse/generate.ts FILE SESSIONS SCENARIO SEED [PEERS]`
 */
import { reportResult } from '../lib/probe.ts';
import { writeFlowSessionReply } from './generate-reply.ts';

const [file, sessions, scenario, seed, peers] = process.argv.slice(2);
const generated = await writeFlowSessionReply(
  file!,
  { scenario: scenario!, seed: Number(seed), ...(peers ? { peers: Number(peers) } : {}) },
  Number(sessions),
);
reportResult({ ok: true, ...generated });
