import { createReadStream } from 'node:fs';
import { tableExtractor } from '../../../src/junos/table.ts';
import { ReplyReader } from '../../../src/transport/reply-reader.ts';
import { AH_TABLE } from '../../lib/ah-table.ts';
import { READ_CHUNK, type FileParser } from './types.ts';

/**
 * runbook's own path, as a collect step runs it: NetconfSession hands each chunk of a
 * reply's bytes to a ReplyReader (UTF-8 decoding, rpc-error capture, XmlElementStream),
 * which feeds the step's tableExtractor. Records are kept, as the collect step keeps them.
 */
export const parse: FileParser = async (file) => {
  const table = tableExtractor(AH_TABLE);
  const reader = new ReplyReader('rpc-reply', table);
  for await (const chunk of createReadStream(file, { highWaterMark: READ_CHUNK })) reader.push(chunk as Buffer);
  const outcome = reader.finish();
  if (outcome.errors.length > 0) throw new Error(`the reply carries rpc-errors: ${outcome.errors.map((e) => e.message).join('; ')}`);
  const result = table.result();
  if (result.records.length !== result.count) throw new Error(`${result.count} sessions but ${result.records.length} records kept`);
  return { items: result.count, unit: 'sessions' };
};
