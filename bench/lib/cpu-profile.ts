import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO } from './child.ts';

/** The part of V8's .cpuprofile format read here. */
interface CpuProfile {
  readonly nodes: readonly { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
  readonly startTime: number;
  readonly endTime: number;
}

export interface ProfileEntry {
  /** `function (file:line)`, or the area's name. */
  readonly name: string;
  readonly selfMs: number;
  readonly share: number;
}

export interface ProfileSummary {
  readonly totalMs: number;
  /** Functions by self time. */
  readonly functions: readonly ProfileEntry[];
  /** Self time by area: a package in node_modules, a directory of src/, node internals, GC, idle. */
  readonly areas: readonly ProfileEntry[];
}

/** Self time per function and per area of a V8 CPU profile (`node --cpu-prof`). */
export async function summariseProfile(file: string, top = 15): Promise<ProfileSummary> {
  const p = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) selfUs.set(p.samples[i]!, (selfUs.get(p.samples[i]!) ?? 0) + (p.timeDeltas[i] ?? 0));
  const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const fn = new Map<string, number>();
  const area = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const f = byId.get(id)!.callFrame;
    const where = place(f.url);
    const name = f.url ? `${f.functionName || '(anonymous)'} (${where}:${f.lineNumber + 1})` : `${f.functionName || '(anonymous)'}`;
    fn.set(name, (fn.get(name) ?? 0) + us);
    const a = areaOf(f.url, f.functionName);
    area.set(a, (area.get(a) ?? 0) + us);
  }
  const rank = (m: Map<string, number>, n: number): ProfileEntry[] =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, us]) => ({ name, selfMs: us / 1000, share: totalUs ? us / totalUs : 0 }));
  return { totalMs: totalUs / 1000, functions: rank(fn, top), areas: rank(area, 12) };
}

function place(url: string): string {
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  return path.startsWith('/') ? relative(REPO, path) : path;
}

function areaOf(url: string, functionName: string): string {
  if (!url) return functionName === '(idle)' ? '(idle)' : functionName === '(garbage collector)' ? '(garbage collector)' : '(native/V8)';
  const path = place(url);
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (pkg) return pkg[1]!;
  if (path.startsWith('node:')) return 'node internals';
  const src = /^(src\/[^/]+)\//.exec(path);
  if (src) return src[1]!;
  return path.split('/').slice(0, 2).join('/');
}

/** Sampled time not spent idle. */
export function busy(p: ProfileSummary): number {
  return p.totalMs - (p.areas.find((a) => a.name === '(idle)')?.selfMs ?? 0);
}
