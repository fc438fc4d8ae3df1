import { Chalk, type ChalkInstance } from 'chalk';

/** Colours only on a terminal, and never when NO_COLOR is set (https://no-color.org). */
export function makeStyle(stream: NodeJS.WriteStream): ChalkInstance {
  const noColor = process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '';
  return new Chalk({ level: !noColor && stream.isTTY ? 2 : 0 });
}
