import { createReadStream } from 'node:fs';
import sax from 'sax';
import { ITEM, READ_CHUNK, type FileParser } from './types.ts';

/** sax, the tokenizer under xml2js, in strict mode, counting sessions and nothing else. */
export const parse: FileParser = async (file) => {
  const parser = sax.parser(true, {});
  let items = 0;
  let failure: Error | undefined;
  parser.onerror = (err) => {
    failure ??= err;
  };
  parser.onopentag = () => undefined;
  parser.ontext = () => undefined;
  parser.onclosetag = (name) => {
    if (name === ITEM) items++;
  };
  for await (const text of createReadStream(file, { highWaterMark: READ_CHUNK, encoding: 'utf8' })) {
    parser.write(text as string);
    if (failure) throw failure;
  }
  parser.close();
  if (failure) throw failure;
  return { items, unit: 'sessions' };
};
