/** A "billion laughs" YAML document: each level is nine aliases of the level before. */
export function aliasBomb(levels = 9, indent = ''): string {
  const lines = [`${indent}a: &a ["x","x","x","x","x","x","x","x","x"]`];
  for (let i = 1; i < levels; i++) {
    const prev = String.fromCharCode(97 + i - 1);
    const cur = String.fromCharCode(97 + i);
    lines.push(`${indent}${cur}: &${cur} [${Array(9).fill(`*${prev}`).join(',')}]`);
  }
  return `${lines.join('\n')}\n`;
}
