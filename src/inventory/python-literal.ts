/**
 * The values Python's `ast.literal_eval` accepts, as Ansible's INI inventory types a
 * variable: `22` is a number, `True` a boolean, `'x'` a string, `[1, 2]` a list,
 * `{'a': 1}` a mapping, `None` null; anything else stays the text it is. A small
 * recursive-descent reader: nothing is evaluated.
 */

export type LiteralResult = { readonly value: unknown } | undefined;

/** The typed value of `text`, or undefined when Python would not read it as a literal. */
export function pythonLiteral(text: string): LiteralResult {
  const reader = new LiteralReader(text);
  try {
    reader.skipSpace();
    const value = reader.value(0);
    reader.skipSpace();
    return reader.atEnd() ? { value } : undefined;
  } catch (err) {
    if (err instanceof NotALiteral) return undefined;
    throw err;
  }
}

class NotALiteral extends Error {}

/** Nesting deeper than this is not an inventory value; it is refused as a literal (kept as text). */
const MAX_DEPTH = 64;

const NUMBER = /^[+-]?(?:0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|(?:\d(?:_?\d)*)?\.?(?:\d(?:_?\d)*)?(?:[eE][+-]?\d(?:_?\d)*)?)/;

class LiteralReader {
  private pos = 0;
  constructor(private readonly text: string) {}

  atEnd(): boolean {
    return this.pos === this.text.length;
  }

  skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos++;
  }

  value(depth: number): unknown {
    if (depth > MAX_DEPTH) throw new NotALiteral();
    this.skipSpace();
    const c = this.text[this.pos];
    if (c === undefined) throw new NotALiteral();
    if (c === '[') return this.sequence(']', depth);
    if (c === '(') return this.sequence(')', depth);
    if (c === '{') return this.mapping(depth);
    if (c === "'" || c === '"') return this.strings();
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.pos))?.[0];
    if (word !== undefined) {
      const named: Record<string, unknown> = { True: true, False: false, None: null };
      if (!Object.hasOwn(named, word)) throw new NotALiteral();
      this.pos += word.length;
      return named[word];
    }
    return this.number();
  }

  private number(): number {
    const m = NUMBER.exec(this.text.slice(this.pos))?.[0] ?? '';
    const digits = m.replace(/_/g, '');
    const unsigned = digits.replace(/^[+-]/, '');
    // Python 3 refuses leading zeros on a decimal integer (`0755`), which then stays text.
    if (!/\d/.test(unsigned) || /^0\d+$/.test(unsigned.replace(/^0+$/, '0'))) throw new NotALiteral();
    const sign = digits.startsWith('-') ? -1 : 1;
    let n: number;
    if (/^0[xob]/i.test(unsigned)) n = Number(unsigned.toLowerCase());
    else n = Number(unsigned);
    if (!Number.isFinite(n)) throw new NotALiteral();
    this.pos += m.length;
    // `1j` (complex) and `1x` are not plain numbers.
    if (/^[A-Za-z0-9_]/.test(this.text.slice(this.pos))) throw new NotALiteral();
    return sign * n;
  }

  /** One or more adjacent string literals, which Python joins. */
  private strings(): string {
    let out = this.string();
    for (;;) {
      const save = this.pos;
      this.skipSpace();
      const c = this.text[this.pos];
      if (c !== "'" && c !== '"') {
        this.pos = save;
        return out;
      }
      out += this.string();
    }
  }

  private string(): string {
    const quote = this.text[this.pos]!;
    const triple = this.text.startsWith(quote.repeat(3), this.pos);
    const end = triple ? quote.repeat(3) : quote;
    this.pos += end.length;
    let out = '';
    for (;;) {
      if (this.pos >= this.text.length) throw new NotALiteral();
      if (this.text.startsWith(end, this.pos)) {
        this.pos += end.length;
        return out;
      }
      const c = this.text[this.pos]!;
      if (c === '\n' && !triple) throw new NotALiteral();
      if (c === '\\') {
        out += this.escape();
        continue;
      }
      out += c;
      this.pos++;
    }
  }

  private escape(): string {
    const c = this.text[this.pos + 1];
    if (c === undefined) throw new NotALiteral();
    const simple: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v', '\n': '' };
    if (Object.hasOwn(simple, c)) {
      this.pos += 2;
      return simple[c]!;
    }
    const hex = c === 'x' ? 2 : c === 'u' ? 4 : c === 'U' ? 8 : 0;
    if (hex > 0) {
      const digits = this.text.slice(this.pos + 2, this.pos + 2 + hex);
      if (!new RegExp(`^[0-9a-fA-F]{${hex}}$`).test(digits)) throw new NotALiteral();
      const code = parseInt(digits, 16);
      if (code > 0x10ffff) throw new NotALiteral();
      this.pos += 2 + hex;
      return String.fromCodePoint(code);
    }
    const octal = /^[0-7]{1,3}/.exec(this.text.slice(this.pos + 1))?.[0];
    if (octal) {
      this.pos += 1 + octal.length;
      return String.fromCodePoint(parseInt(octal, 8));
    }
    // Python keeps an unknown escape as it is written.
    this.pos += 2;
    return `\\${c}`;
  }

  private sequence(close: string, depth: number): unknown[] {
    this.pos++;
    const out: unknown[] = [];
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] === close) {
        this.pos++;
        return out;
      }
      out.push(this.value(depth + 1));
      this.skipSpace();
      const c = this.text[this.pos];
      if (c === ',') this.pos++;
      else if (c !== close) throw new NotALiteral();
    }
  }

  private mapping(depth: number): unknown {
    this.pos++;
    const out: Record<string, unknown> = {};
    let isSet = false;
    const members: unknown[] = [];
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] === '}') {
        this.pos++;
        return isSet ? members : out;
      }
      const key = this.value(depth + 1);
      this.skipSpace();
      if (this.text[this.pos] === ':' && !isSet) {
        this.pos++;
        if (typeof key === 'object' && key !== null) throw new NotALiteral();
        out[String(key)] = this.value(depth + 1);
      } else if (Object.keys(out).length === 0) {
        // A set literal: JSON (and so ansible-inventory) has no sets; a list is the nearest.
        isSet = true;
        members.push(key);
      } else {
        throw new NotALiteral();
      }
      this.skipSpace();
      const c = this.text[this.pos];
      if (c === ',') this.pos++;
      else if (c !== '}') throw new NotALiteral();
    }
  }
}
