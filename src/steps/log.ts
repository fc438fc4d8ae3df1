import type { LogEntry } from '../contracts/results.ts';
import type { LogLine } from '../playbook/types.ts';
import { asList, extend, type Scope } from './scope.ts';

/** Renders a step's log lines against the scope after the step ran. A line that renders empty is not said (a conditional line). */
export async function renderLog(lines: readonly LogLine[], scope: Scope, step: string): Promise<LogEntry[]> {
  const out: LogEntry[] = [];
  for (const line of lines) {
    if (line.kind === 'say') {
      const text = String(await line.text.render(scope));
      if (text !== '') out.push({ level: line.level, text, step });
      continue;
    }
    for (const item of asList(await line.each.evaluate(scope))) {
      out.push({ level: line.level, text: String(await line.text.render(extend(scope, { [line.as]: item }))), step });
    }
  }
  return out;
}
