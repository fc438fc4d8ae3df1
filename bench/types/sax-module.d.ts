// The part of sax's API the bench uses (sax ships no types and @types/sax is not installed).
declare module 'sax' {
  interface SaxParser {
    onerror: (err: Error) => void;
    onopentag: (tag: { name: string; attributes: Record<string, string> }) => void;
    ontext: (text: string) => void;
    onclosetag: (name: string) => void;
    write(chunk: string): SaxParser;
    close(): SaxParser;
  }
  const sax: { parser(strict: boolean, options: Record<string, unknown>): SaxParser };
  export default sax;
}
