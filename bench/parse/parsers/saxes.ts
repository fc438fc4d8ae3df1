import { createReadStream } from 'node:fs';
import { SaxesParser } from 'saxes';
import { ITEM, READ_CHUNK, type FileParser } from './types.ts';

/** A general SAX parser (the reference runbook's tokenizer is tested against), counting sessions and nothing else. */
export const parse: FileParser = async (file) => {
  const parser = new SaxesParser({ xmlns: false });
  let items = 0;
  let failure: Error | undefined;
  parser.on('error', (err) => (failure ??= err));
  parser.on('opentag', () => undefined);
  parser.on('text', () => undefined);
  parser.on('closetag', (tag) => {
    if (tag.name === ITEM) items++;
  });
  for await (const text of createReadStream(file, { highWaterMark: READ_CHUNK, encoding: 'utf8' })) {
    parser.write(text as string);
    if (failure) throw failure;
  }
  parser.close();
  if (failure) throw failure;
  return { items, unit: 'sessions' };
};
