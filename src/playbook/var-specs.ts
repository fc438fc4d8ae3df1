import type { Bounds, VarSpec } from './types.ts';
import type { IssueSink } from './issues.ts';
import { enumProblem, hasBounds, inferVarType, typeProblem, valueProblem } from './var-rules.ts';
import type { WrittenBounds, WrittenVar } from './written.ts';

/**
 * The playbook's vars, normalised: a bare value becomes a spec with that default and its
 * inferred type. A default must follow its own spec; bounds only make sense on numbers.
 */
export function normaliseVars(vars: Readonly<Record<string, WrittenVar>>, sink: IssueSink): VarSpec[] {
  const specs: VarSpec[] = [];
  for (const [name, written] of Object.entries(vars)) {
    const path = ['vars', name];
    if (typeof written !== 'object') {
      specs.push({ name, type: inferVarType(written), default: written, bounds: {}, overrideBounds: {} });
      continue;
    }
    const type = written.type ?? inferVarType(written.default);
    const spec: VarSpec = {
      name,
      type,
      default: written.default,
      ...(written.description !== undefined ? { description: written.description } : {}),
      bounds: boundsOf(written),
      overrideBounds: boundsOf(written.override ?? {}),
      ...(written.enum !== undefined ? { enum: written.enum } : {}),
      ...(written.less_than !== undefined ? { lessThan: written.less_than } : {}),
    };
    specs.push(spec);
    const numeric = type === 'integer' || type === 'number';
    if (!numeric && (hasBounds(spec.bounds) || hasBounds(spec.overrideBounds))) {
      sink.atKey(path, `bounds (minimum, maximum, exclusiveMinimum, exclusiveMaximum, override) only apply to integer and number vars, and '${name}' is ${article(type)}`);
    }
    if (spec.enum) {
      spec.enum.forEach((allowed, i) => {
        const wrong = typeProblem(type, allowed);
        if (wrong) sink.atValue([...path, 'enum', i], `${wrong}, but '${name}' is ${article(type)} var`);
      });
    }
    const wrongType = typeProblem(type, spec.default);
    if (wrongType) {
      sink.atValue([...path, 'default'], `the default ${wrongType}, but '${name}' is ${article(type)} var`);
      continue;
    }
    const broken = valueProblem(spec, spec.default, false) ?? enumProblem(spec.enum, spec.default);
    if (broken) sink.atValue([...path, 'default'], `the default ${String(spec.default)} breaks the var's own rule: it ${broken}`);
  }
  checkOrder(specs, vars, sink);
  return specs;
}

/** less_than names a number var, and the defaults keep the order. */
function checkOrder(specs: readonly VarSpec[], vars: Readonly<Record<string, WrittenVar>>, sink: IssueSink): void {
  const byName = new Map(specs.map((s) => [s.name, s]));
  for (const spec of specs) {
    if (spec.lessThan === undefined) continue;
    const path = ['vars', spec.name, 'less_than'];
    const other = byName.get(spec.lessThan);
    const numeric = (t: string) => t === 'integer' || t === 'number';
    if (!other) {
      sink.atValue(path, `less_than names '${spec.lessThan}', which is not a var of this playbook (vars: ${[...byName.keys()].join(', ')})`);
    } else if (!numeric(spec.type) || !numeric(other.type)) {
      sink.atValue(path, `less_than compares numbers, and '${numeric(spec.type) ? other.name : spec.name}' is not an integer or number var`);
    } else if (typeof spec.default === 'number' && typeof other.default === 'number' && !(spec.default < other.default) && typeof vars[spec.name] === 'object') {
      sink.atValue(['vars', spec.name, 'default'], `the default ${spec.default} must be less than ${other.name}'s default ${other.default}`);
    }
  }
}

function boundsOf(written: WrittenBounds): Bounds {
  const out: { -readonly [K in keyof Bounds]: number } = {};
  if (written.minimum !== undefined) out.minimum = written.minimum;
  if (written.maximum !== undefined) out.maximum = written.maximum;
  if (written.exclusiveMinimum !== undefined) out.exclusiveMinimum = written.exclusiveMinimum;
  if (written.exclusiveMaximum !== undefined) out.exclusiveMaximum = written.exclusiveMaximum;
  return out;
}

function article(type: string): string {
  return `${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`;
}
