/**
 * NETCONF message framing (RFC 6242), pure and streaming.
 *
 * base:1.0 ends each message with `]]>]]>`; base:1.1 sends chunks `\n#<size>\n<data>`
 * and ends the message with `\n##\n`. Decoders are fed raw bytes as they arrive and
 * hand message bytes on at once, so a reply is never held whole.
 */

export const EOM = ']]>]]>';
const EOM_BYTES = Buffer.from(EOM);
/** RFC 6242 §4.2: chunk-size is 1..4294967295. */
const MAX_CHUNK_SIZE = 4294967295;

export type Framing = 'eom' | 'chunked';

/** What a decoder calls as it reads. */
export interface FrameSink {
  /** Bytes of the current message (any length, possibly splitting a UTF-8 sequence). */
  data(bytes: Buffer): void;
  /** The current message is complete. */
  end(): void;
}

export class FramingError extends Error {
  override readonly name = 'FramingError';
}

export interface FrameDecoder {
  push(bytes: Buffer): void;
  /** True when no partial message is buffered or in progress. */
  readonly idle: boolean;
}

/** base:1.0: everything up to `]]>]]>` is one message. */
export class EomDecoder implements FrameDecoder {
  /** Bytes held back because they may be the start of the delimiter. */
  private held: Buffer = Buffer.alloc(0);
  private inMessage = false;

  constructor(private readonly sink: FrameSink) {}

  get idle(): boolean {
    return !this.inMessage && this.held.length === 0;
  }

  push(bytes: Buffer): void {
    let buf = this.held.length > 0 ? Buffer.concat([this.held, bytes]) : bytes;
    this.held = Buffer.alloc(0);
    for (;;) {
      const at = buf.indexOf(EOM_BYTES);
      if (at < 0) break;
      if (at > 0) this.emit(buf.subarray(0, at));
      this.inMessage = false;
      this.sink.end();
      buf = buf.subarray(at + EOM_BYTES.length);
    }
    // Keep back a tail that could be the beginning of a delimiter split across reads.
    let keep = 0;
    for (let k = Math.min(EOM_BYTES.length - 1, buf.length); k > 0; k--) {
      if (endsWithPrefix(buf, k)) {
        keep = k;
        break;
      }
    }
    if (buf.length - keep > 0) this.emit(buf.subarray(0, buf.length - keep));
    if (keep > 0) this.held = Buffer.from(buf.subarray(buf.length - keep));
  }

  private emit(bytes: Buffer): void {
    // Whitespace between messages (a newline after `]]>]]>`) does not start a message.
    if (!this.inMessage) {
      let i = 0;
      while (i < bytes.length && (bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x20 || bytes[i] === 0x09)) i++;
      if (i === bytes.length) return;
      bytes = bytes.subarray(i);
      this.inMessage = true;
    }
    this.sink.data(bytes);
  }
}

/** The last `k` bytes of `buf` are the first `k` of the delimiter (compared in place: this runs for every read). */
function endsWithPrefix(buf: Buffer, k: number): boolean {
  const from = buf.length - k;
  for (let i = 0; i < k; i++) if (buf[from + i] !== EOM_BYTES[i]) return false;
  return true;
}

const enum ChunkState {
  /** Expecting `\n#` that starts a chunk header or the end-of-chunks marker. */
  Header,
  /** Reading the digits of a chunk size (or the second `#` of `\n##\n`). */
  Size,
  /** Inside chunk data. */
  Data,
}

/** base:1.1 chunked framing, a byte-level state machine. */
export class ChunkedDecoder implements FrameDecoder {
  private state = ChunkState.Header;
  /** Bytes of `\n#` matched so far in Header state. */
  private headerPos = 0;
  private sizeText = '';
  private endMarker = false;
  private remaining = 0;
  private inMessage = false;

  constructor(private readonly sink: FrameSink) {}

  get idle(): boolean {
    return !this.inMessage && this.state === ChunkState.Header && this.headerPos === 0;
  }

  push(bytes: Buffer): void {
    let i = 0;
    while (i < bytes.length) {
      switch (this.state) {
        case ChunkState.Data: {
          const n = Math.min(this.remaining, bytes.length - i);
          this.sink.data(bytes.subarray(i, i + n));
          this.remaining -= n;
          i += n;
          if (this.remaining === 0) this.state = ChunkState.Header;
          break;
        }
        case ChunkState.Header: {
          const b = bytes[i++];
          const want = this.headerPos === 0 ? 0x0a : 0x23; // '\n' then '#'
          if (b !== want) {
            // Between messages some servers send a stray newline; tolerate whitespace only there.
            if (!this.inMessage && this.headerPos === 0 && (b === 0x0d || b === 0x20 || b === 0x09)) break;
            throw new FramingError(`bad chunk header: expected ${want === 0x0a ? 'LF' : "'#'"}, got byte 0x${b.toString(16)}`);
          }
          if (++this.headerPos === 2) {
            this.headerPos = 0;
            this.sizeText = '';
            this.endMarker = false;
            this.state = ChunkState.Size;
          }
          break;
        }
        case ChunkState.Size: {
          const b = bytes[i++];
          if (b === 0x23 && this.sizeText === '' && !this.endMarker) {
            this.endMarker = true; // `\n##`
          } else if (b === 0x0a) {
            if (this.endMarker) {
              if (!this.inMessage) throw new FramingError('end-of-chunks marker with no chunk before it');
              this.inMessage = false;
              this.state = ChunkState.Header;
              this.sink.end();
            } else {
              const size = Number(this.sizeText);
              if (this.sizeText === '' || !Number.isInteger(size) || size < 1 || size > MAX_CHUNK_SIZE || this.sizeText[0] === '0') {
                throw new FramingError(`bad chunk size '${this.sizeText}'`);
              }
              this.remaining = size;
              this.inMessage = true;
              this.state = ChunkState.Data;
            }
          } else if (b >= 0x30 && b <= 0x39 && !this.endMarker && this.sizeText.length < 10) {
            this.sizeText += String.fromCharCode(b);
          } else {
            throw new FramingError(`bad chunk header: unexpected byte 0x${b.toString(16)}`);
          }
          break;
        }
      }
    }
  }
}

export function createDecoder(framing: Framing, sink: FrameSink): FrameDecoder {
  return framing === 'eom' ? new EomDecoder(sink) : new ChunkedDecoder(sink);
}

/** Frames one whole message. */
export function frameMessage(framing: Framing, body: string | Buffer): Buffer {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  if (framing === 'eom') return Buffer.concat([bytes, EOM_BYTES]);
  return Buffer.concat([frameChunk(bytes), END_OF_CHUNKS]);
}

/** One base:1.1 chunk; used to stream a long message piece by piece. */
export function frameChunk(bytes: Buffer): Buffer {
  if (bytes.length === 0) return bytes;
  return Buffer.concat([Buffer.from(`\n#${bytes.length}\n`, 'latin1'), bytes]);
}

export const END_OF_CHUNKS = Buffer.from('\n##\n', 'latin1');

/**
 * Streams one message out in pieces: `write` each part as it is produced, then `end`.
 * For base:1.0 the parts go out as they are followed by `]]>]]>`; for base:1.1 each part is a chunk.
 */
export function messageWriter(framing: Framing, out: (bytes: Buffer) => void): { write(part: string | Buffer): void; end(): void } {
  return {
    write(part) {
      const bytes = typeof part === 'string' ? Buffer.from(part, 'utf8') : part;
      if (bytes.length === 0) return;
      out(framing === 'eom' ? bytes : frameChunk(bytes));
    },
    end() {
      out(framing === 'eom' ? EOM_BYTES : END_OF_CHUNKS);
    },
  };
}
