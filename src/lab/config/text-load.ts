import { applyDelete, applySet, readQuoted, resolve, stepWords, type Context, type LoadOutcome, ROOT } from './edit.ts';
import { syntaxError, type ConfigRpcError } from './errors.ts';
import { editPath, type ConfigNode } from './tree.ts';

/**
 * Loads configuration in Junos's curly-brace text form (`load merge terminal`,
 * `<configuration-text>`). A statement is the words before `;` or `{`, resolved
 * relative to the open blocks, so `security { flow { aging { early-ageout 20; } } }`
 * and `set security flow aging early-ageout 20` land on the same leaf. `delete:`
 * before a statement deletes it; `version` and comments are skipped.
 */
export function loadText(root: ConfigNode, text: string): LoadOutcome {
  const diagnostics: ConfigRpcError[] = [];
  let failed = 0;
  const stack: Context[] = [ROOT];
  // A block whose statement was bad: its contents are skipped, as Junos's error recovery does.
  let skipDepth = 0;
  let words: string[] = [];
  let deleteNext = false;

  const fail = (e: ConfigRpcError) => {
    diagnostics.push(e);
    failed++;
  };

  for (const tok of lex(text)) {
    if (tok === undefined) {
      fail(syntaxError('[edit]', '"', 'syntax error, unterminated quoted string'));
      break;
    }
    if (skipDepth > 0) {
      if (tok === '{') skipDepth++;
      else if (tok === '}') skipDepth--;
      continue;
    }
    if (tok === '}') {
      if (words.length > 0 || stack.length === 1) {
        fail(syntaxError(editPath(stepWords(stack[stack.length - 1].steps)), '}'));
        words = [];
        continue;
      }
      stack.pop();
      continue;
    }
    if (tok === ';' || tok === '{') {
      const ctx = stack[stack.length - 1];
      const stmt = words;
      words = [];
      const del = deleteNext;
      deleteNext = false;
      if (stmt.length === 0) {
        fail(syntaxError(editPath(stepWords(ctx.steps)), tok));
        if (tok === '{') skipDepth = 1;
        continue;
      }
      if (stack.length === 1 && stmt[0] === 'version' && tok === ';') continue;
      const r = resolve(stmt, ctx, del);
      if ('error' in r) {
        fail(r.error);
        if (tok === '{') skipDepth = 1;
        continue;
      }
      if (tok === '{') {
        const target = r.targets.length === 1 ? r.targets[0] : undefined;
        const last = target?.steps[target.steps.length - 1];
        if (!target || !last || (last.schema.kind !== 'container' && last.schema.kind !== 'list') || target.value !== undefined) {
          fail(syntaxError(editPath(stepWords(ctx.steps)), stmt[stmt.length - 1]));
          skipDepth = 1;
          continue;
        }
        if (del) {
          const warning = applyDelete(root, target);
          if (warning) diagnostics.push(warning);
          skipDepth = 1;
          continue;
        }
        applySet(root, target);
        stack.push({ schema: last.schema, steps: target.steps });
        continue;
      }
      for (const target of r.targets) {
        if (del) {
          const warning = applyDelete(root, target);
          if (warning) diagnostics.push(warning);
        } else {
          applySet(root, target);
        }
      }
      continue;
    }
    if (tok === 'delete:' && words.length === 0) {
      deleteNext = true;
      continue;
    }
    words.push(tok);
  }
  if (words.length > 0 || stack.length > 1) fail(syntaxError(editPath(stepWords(stack[stack.length - 1].steps)), words[words.length - 1] ?? '{', 'syntax error, unexpected end of input'));
  return { diagnostics, failed };
}

/** Words, quoted strings and `{ } ; [ ]`; comments (`#` to end of line, C-style blocks) dropped. Undefined marks an unterminated quote. */
function* lex(text: string): Generator<string | undefined> {
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 2;
    } else if ('{};[]'.includes(c)) {
      yield c;
      i++;
    } else if (c === '"') {
      const quoted = readQuoted(text, i);
      if (!quoted) {
        yield undefined;
        return;
      }
      i = quoted.end;
      yield quoted.word;
    } else {
      let w = '';
      while (i < text.length && !/[\s{};[\]"]/.test(text[i])) w += text[i++];
      yield w;
    }
  }
}
