import { RE2JS } from 're2js';

/**
 * Regexes in expressions run on RE2 (re2js, a pure-JavaScript port): matching takes
 * time linear in the text, so no pattern can backtrack for ever the way /(a+)+$/ does
 * on V8's engine. RE2 has no backreferences or lookaround; a pattern using them is
 * refused when the expression is compiled.
 */

/** Why RE2 cannot run the pattern, or undefined when it can. */
export function regexProblem(regex: RegExp): string | undefined {
  try {
    compileRe2(regex);
    return undefined;
  } catch (err) {
    return `the regex /${regex.source}/ cannot be run by a linear-time engine (${(err as Error).message}): backreferences and lookaround are not available`;
  }
}

/** JSONata makes a RegexEngine each time it evaluates a regex: compile each pattern once. */
const compiled = new WeakMap<RegExp, RE2JS>();

function compileRe2(regex: RegExp): RE2JS {
  let re2 = compiled.get(regex);
  if (!re2) {
    re2 = compileUncached(regex);
    compiled.set(regex, re2);
  }
  return re2;
}

function compileUncached(regex: RegExp): RE2JS {
  const flags = (regex.flags.includes('i') ? RE2JS.CASE_INSENSITIVE : 0) | (regex.flags.includes('m') ? RE2JS.MULTILINE : 0);
  return RE2JS.compile(RE2JS.translateRegExp(regex.source), flags);
}

/**
 * What JSONata needs of a RegExp (it is handed this class as its RegexEngine): built
 * from the parsed RegExp, `exec` from `lastIndex`, which a match moves on.
 */
export class SafeRegExp {
  lastIndex = 0;
  private readonly re2: RE2JS;

  constructor(regex: RegExp) {
    this.re2 = compileRe2(regex);
  }

  exec(text: string): RegExpExecArray | null {
    const matcher = this.re2.matcher(text);
    if (this.lastIndex > text.length || !matcher.find(this.lastIndex)) {
      this.lastIndex = 0;
      return null;
    }
    const groups: (string | undefined)[] = [];
    for (let i = 0; i <= matcher.groupCount(); i++) groups.push(matcher.group(i) ?? undefined);
    const match = Object.assign(groups, { index: matcher.start(), input: text }) as unknown as RegExpExecArray;
    this.lastIndex = matcher.end();
    return match;
  }
}
