import { readFile } from 'node:fs/promises';
import xml2js from 'xml2js';
import { ITEM, type FileParser } from './types.ts';

type Tree = { [name: string]: Tree[] | string | undefined };

/**
 * xml2js as most Node NETCONF code uses it: the whole reply as one string, turned into
 * one object tree. It needs the reply in memory twice over, and a string cannot exceed
 * V8's limit (2^29 - 24 characters), so it fails on large replies.
 */
export const parse: FileParser = async (file) => {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    // Node cannot read 2 GiB or more into one Buffer, and V8 cannot make a string of more than 2^29 - 24 characters.
    throw new Error(`cannot hold the reply as one string: ${(err as Error).message}`);
  }
  const doc = (await xml2js.parseStringPromise(text)) as Tree;
  // The root is an object; every element below it is an array (explicitArray).
  const reply = doc['rpc-reply'] as unknown as Tree | undefined;
  let items = 0;
  for (const block of (reply?.['flow-session-information'] as Tree[] | undefined) ?? []) items += ((block[ITEM] as Tree[] | undefined) ?? []).length;
  return { items, unit: 'sessions' };
};
