import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Playbook } from './types.ts';
import { PlaybookError } from './errors.ts';
import { normalisePlaybook } from './normalise.ts';
import { playbookValidator } from './schema.ts';
import { schemaIssues } from './schema-errors.ts';
import type { WrittenPlaybook } from './written.ts';
import { YamlSource } from './yaml-source.ts';

/** Reads, validates and normalises a playbook file. Throws PlaybookError listing every problem. */
export async function loadPlaybook(file: string): Promise<Playbook> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw new PlaybookError([{ file, line: 1, column: 1, path: '', message: `cannot read the playbook: ${reason}` }]);
  }
  return parse(bytes.toString('utf8'), file, sha256(bytes));
}

/**
 * Validates and normalises playbook text, `file` naming it in messages. Three passes,
 * each reporting all it finds: YAML syntax, the schema, then meaning (references, RPC
 * arguments, step order, var defaults), which needs the schema's shape to stand on.
 */
export function parsePlaybook(text: string, file: string): Playbook {
  return parse(text, file, sha256(Buffer.from(text, 'utf8')));
}

function parse(text: string, file: string, hash: string): Playbook {
  const source = YamlSource.parse(text, file);
  const data = source.data();
  const validate = playbookValidator();
  if (!validate(data)) throw new PlaybookError(schemaIssues(validate.errors ?? [], data, source));
  const { playbook, issues } = normalisePlaybook(data as WrittenPlaybook, source, { sha256: hash });
  if (issues.length > 0) throw new PlaybookError(issues);
  return playbook;
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
