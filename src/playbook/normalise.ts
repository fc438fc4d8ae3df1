import { ticketProblem } from '../contracts/run-ids.ts';
import type { Playbook, Rollout, Step } from './types.ts';
import { CompileContext } from './compile-context.ts';
import type { PlaybookIssue } from './errors.ts';
import { IssueSink } from './issues.ts';
import type { NameScope, RegisterInfo, Shape } from './name-scope.ts';
import { UNKNOWN, withLoop } from './name-scope.ts';
import { normaliseAct, normaliseAnalyze, normaliseCollect, normaliseLog, normalisePlan } from './normalise-steps.ts';
import { checkStepOrder } from './step-order.ts';
import { normaliseChecks } from './checks.ts';
import { normaliseVars } from './var-specs.ts';
import type { WrittenPlaybook, WrittenStep } from './written.ts';
import type { YamlSource } from './yaml-source.ts';

/** Names a register cannot take: the engine binds these itself. */
export const RESERVED_REGISTERS: ReadonlySet<string> = new Set(['vars', 'host', 'item', 'before']);

const KINDS = ['collect', 'analyze', 'plan', 'act'] as const;

export interface Normalised {
  readonly playbook: Playbook;
  readonly issues: readonly PlaybookIssue[];
}

/**
 * The written form (already accepted by the schema) → the normalised form, with every
 * semantic problem found on the way: references, RPC arguments, step order, var defaults.
 */
export function normalisePlaybook(written: WrittenPlaybook, source: YamlSource, meta: { readonly sha256: string }): Normalised {
  const sink = new IssueSink(source);
  const cx = new CompileContext(source, sink);
  const vars = normaliseVars(written.vars ?? {}, sink);
  const varNames = new Set(vars.map((v) => v.name));
  const allRegisters = registersOf(written.steps, sink);
  const readable = new Map<string, RegisterInfo>();
  const scopeAt = (step: number): NameScope => ({ vars: varNames, registers: new Map(readable), allRegisters, loops: new Map(), step });

  const start = written.syslog?.start !== undefined ? cx.template(['syslog', 'start'], written.syslog.start, scopeAt(-1)) : undefined;
  const steps: Step[] = [];
  written.steps.forEach((ws, index) => {
    const at = ['steps', index] as const;
    const before = scopeAt(index);
    const when = ws.when !== undefined ? cx.expression([...at, 'when'], ws.when, before) : undefined;
    const { body, shape } = normaliseBody(ws, at, before, cx);
    const own = allRegisters.get(ws.register ?? '');
    if (ws.register !== undefined && own?.index === index) {
      if (shape) readable.set(ws.register, { ...own, shape });
      else sink.atValue([...at, 'register'], `${describeKind(ws, body.kind)} gives no data to register: only collect, analyze with from + pipeline, and plan steps do`);
    }
    // After acting, the verify registers hold fresh data and the earlier values are under `before`.
    const after = body.kind === 'act' ? withLoop(scopeAt(index), 'before', UNKNOWN) : scopeAt(index);
    const base = {
      index,
      name: ws.name,
      at: source.valueSpan(at),
      ...(when ? { when } : {}),
      ...(ws.register !== undefined ? { register: ws.register } : {}),
      log: normaliseLog(ws.log ?? [], [...at, 'log'], after, cx),
      ...(ws.syslog !== undefined ? { syslog: cx.template([...at, 'syslog'], ws.syslog, after) } : {}),
    };
    steps.push({ ...base, ...body });
  });
  const end = written.syslog?.end !== undefined ? cx.template(['syslog', 'end'], written.syslog.end, scopeAt(written.steps.length)) : undefined;
  checkStepOrder(steps.map((s) => s.kind), sink);
  const badTicket = written.ticket !== undefined ? ticketProblem(written.ticket) : undefined;
  if (badTicket !== undefined) sink.atValue(['ticket'], badTicket);

  const playbook: Playbook = {
    file: source.file,
    sha256: meta.sha256,
    text: source.text,
    name: written.name,
    ...(written.description !== undefined ? { description: written.description } : {}),
    ...(written.ticket !== undefined ? { ticket: written.ticket } : {}),
    hosts: written.hosts ?? 'all',
    vars,
    syslog: { ...(start ? { start } : {}), ...(end ? { end } : {}) },
    rollout: rolloutOf(written),
    notify: (written.notify ?? []).map((n) => ({
      ...(n.url !== undefined ? { url: n.url } : {}),
      ...(n.url_env !== undefined ? { urlEnv: n.url_env } : {}),
      ...(n.format !== undefined ? { format: n.format } : {}),
      on: n.on ?? 'always',
    })),
    steps,
    // A check's where reads what the host knows when it reaches its act step (or the end).
    checks: normaliseChecks(written.checks ?? [], steps, cx, scopeBefore(scopeAt(steps.length), actIndex(steps))),
  };
  return { playbook, issues: sink.issues };
}

/** The names readable before step n: the registers of the steps before it. */
function scopeBefore(scope: NameScope, n: number): NameScope {
  return { ...scope, registers: new Map([...scope.registers].filter(([, r]) => r.index < n)), step: n };
}

/** The act step's index, or the number of steps when there is none. */
function actIndex(steps: readonly Step[]): number {
  const act = steps.findIndex((s) => s.kind === 'act');
  return act === -1 ? steps.length : act;
}

type Kind = (typeof KINDS)[number];
type BaseKeys = 'index' | 'name' | 'at' | 'when' | 'register' | 'log' | 'syslog';
/** What a step of each kind has beyond the keys every step has. */
type StepBody = Step extends infer S ? (S extends Step ? Omit<S, BaseKeys> : never) : never;

/** The schema let exactly one kind through; an `act:` left empty is null. */
function normaliseBody(ws: WrittenStep, at: readonly (string | number)[], scope: NameScope, cx: CompileContext): { body: StepBody; shape: Shape | undefined } {
  if (ws.collect) return normaliseCollect(ws.collect, [...at, 'collect'], scope, cx);
  if (ws.analyze) return normaliseAnalyze(ws.analyze, [...at, 'analyze'], scope, cx, ws.register);
  if (ws.plan) return normalisePlan(ws.plan, [...at, 'plan'], scope, cx);
  return normaliseAct(ws.act ?? null, [...at, 'act'], scope, cx);
}

/**
 * Every register of the playbook by name, first use wins; reserved and repeated names
 * are reported here, once.
 */
function registersOf(steps: readonly WrittenStep[], sink: IssueSink): Map<string, RegisterInfo> {
  const registers = new Map<string, RegisterInfo>();
  steps.forEach((ws, index) => {
    const name = ws.register;
    if (name === undefined) return;
    const path = ['steps', index, 'register'];
    if (RESERVED_REGISTERS.has(name)) {
      sink.atValue(path, `'${name}' is reserved and cannot be a register name (reserved: ${[...RESERVED_REGISTERS].join(', ')})`);
      return;
    }
    const first = registers.get(name);
    if (first) {
      sink.atValue(path, `register '${name}' is already used by step ${first.index + 1} '${first.stepName}'`);
      return;
    }
    const kind = KINDS.find((k) => ws[k] !== undefined) ?? 'act';
    registers.set(name, { name, index, stepName: ws.name, kind, shape: UNKNOWN });
  });
  return registers;
}

function describeKind(ws: WrittenStep, kind: Kind): string {
  if (kind === 'analyze' && ws.analyze?.require !== undefined) return 'an analyze step with require';
  return kind === 'act' ? 'an act step' : `a ${kind} step`;
}

function rolloutOf(w: WrittenPlaybook): Rollout {
  return {
    ...(w.forks !== undefined ? { forks: w.forks } : {}),
    ...(w.serial !== undefined ? { serial: w.serial as Rollout['serial'] } : {}),
    ...(w.max_fail_percentage !== undefined ? { maxFailPercentage: w.max_fail_percentage } : {}),
    ...(w.any_errors_fatal !== undefined ? { anyErrorsFatal: w.any_errors_fatal } : {}),
    ...(w.connect_retries !== undefined ? { connectRetries: w.connect_retries } : {}),
    ...(w.timeouts?.connect !== undefined ? { connectTimeoutS: w.timeouts.connect } : {}),
    ...(w.timeouts?.rpc !== undefined ? { rpcTimeoutS: w.timeouts.rpc } : {}),
    ...(w.timeouts?.rpc_deadline !== undefined ? { rpcDeadlineS: w.timeouts.rpc_deadline } : {}),
    ...(w.timeouts?.host !== undefined ? { hostDeadlineS: w.timeouts.host } : {}),
  };
}
