// A JSON-RPC message reader for stdin that survives a misbehaving client: garbage bytes,
// a missing, malformed or wrong Content-Length, an invalid JSON body. Each problem is
// reported and skipped, and the reader re-syncs on the next `Content-Length` header, so the
// server stays up and answers the next well-formed message. (vscode-jsonrpc's own reader
// can stay out of sync after such input.)

import { AbstractMessageReader, Disposable, type DataCallback, type MessageReader } from 'vscode-languageserver/node';

const MAX_BODY = 256 * 1024 * 1024;
const MAX_HEADER = 8 * 1024;
const HEADER_RE = /content-length[ \t]*:/i;
// JSON text never holds a raw line break inside a string, nor this text outside one: a
// match inside a body is the header of the next message.
const NEXT_HEADER_RE = /content-length[ \t]*:[ \t]*\d+\r\n(?:[^\r\n]*\r\n)*\r\n/i;

export class TolerantMessageReader extends AbstractMessageReader implements MessageReader {
  private buf: Buffer = Buffer.alloc(0);
  private callback: DataCallback | undefined;
  /** how far the current body was searched for a next header (so each byte is searched once) */
  private scanned = 0;
  /** bytes still missing from the current body, and the chunks received meanwhile */
  private need = 0;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private tail = '';
  private tailBytes: Buffer = Buffer.alloc(0);

  constructor(
    private readonly input: NodeJS.ReadableStream,
    private readonly problem: (message: string) => void,
  ) {
    super();
  }

  listen(callback: DataCallback): Disposable {
    this.callback = callback;
    const onData = (d: Buffer | string) => this.onData(typeof d === 'string' ? Buffer.from(d, 'utf8') : d);
    const onError = (e: Error) => this.fireError(e);
    const onEnd = () => this.fireClose();
    this.input.on('data', onData);
    this.input.on('error', onError);
    this.input.on('end', onEnd);
    this.input.on('close', onEnd);
    return Disposable.create(() => {
      this.input.off('data', onData);
      this.input.off('error', onError);
      this.input.off('end', onEnd);
      this.input.off('close', onEnd);
    });
  }

  private onData(chunk: Buffer): void {
    // A large body arrives in many chunks: keep them aside until the body is complete
    // instead of copying the growing buffer at each one (a 10 MB didOpen was seconds of
    // copying, during which no request was answered).
    if (this.need > 0) {
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
      // Each chunk is still searched once for the next message's header (a body shorter
      // than its Content-Length), with an overlap for a header split between chunks.
      // A header ends with a blank line, which JSON text never holds: only a chunk with one
      // (or one across the boundary) is searched with the regular expression.
      const across = Buffer.concat([this.tailBytes, chunk.subarray(0, 3)]).includes('\r\n\r\n');
      const header = (across || chunk.includes('\r\n\r\n')) && NEXT_HEADER_RE.test(this.tail + chunk.toString('latin1'));
      this.tail = (this.tail + chunk.subarray(Math.max(0, chunk.length - 64)).toString('latin1')).slice(-64);
      this.tailBytes = chunk.subarray(Math.max(0, chunk.length - 3));
      if (this.pendingBytes < this.need && !header) return;
      this.buf = Buffer.concat([this.buf, ...this.pending]);
      // Searched already, chunk by chunk: only a header found there is searched again.
      if (!header) this.scanned = this.buf.length;
      this.tail = '';
      this.tailBytes = Buffer.alloc(0);
      this.pending = [];
      this.pendingBytes = 0;
      this.need = 0;
    } else this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    try {
      while (this.next());
    } catch (e) {
      // Never let a bug here take the server down: drop what we have and re-sync.
      this.problem(`message reader: ${(e as Error).message}`);
      this.consume(this.buf.length);
    }
  }

  /** Handles one message or one problem; false when more input is needed. */
  private next(): boolean {
    if (this.buf.length === 0) return false;
    // Headers are ASCII: latin1 keeps byte offsets equal to string offsets.
    const head = this.buf.toString('latin1', 0, Math.min(this.buf.length, 64 * 1024));
    const at = head.search(HEADER_RE);
    if (at < 0) {
      // Keep a tail that could be the start of a header split across chunks.
      const keep = Math.min(this.buf.length, 20);
      const dropped = this.buf.length - keep;
      if (dropped > 0) {
        this.skip(dropped, 'bytes that are not a message header');
        return true;
      }
      return false;
    }
    if (at > 0) {
      this.skip(at, 'bytes before a message header');
      return true;
    }
    const end = head.indexOf('\r\n\r\n');
    if (end < 0) {
      if (this.buf.length > MAX_HEADER) {
        this.skip(1, 'an unterminated message header');
        return true;
      }
      return false;
    }
    const lines = head.slice(0, end).split('\r\n');
    let length = NaN;
    for (const line of lines) {
      const m = /^content-length[ \t]*:[ \t]*(.*)$/i.exec(line);
      if (m) length = /^\d+$/.test(m[1]!.trim()) ? Number(m[1]!.trim()) : NaN;
    }
    const bodyStart = end + 4;
    if (!Number.isSafeInteger(length) || length > MAX_BODY) {
      this.problem(`message header with an invalid Content-Length (${JSON.stringify(lines[0])}): skipped`);
      this.consume(bodyStart);
      return true;
    }
    // A wrong (too large) length would swallow the messages after it: a complete header of
    // the next message inside the body means the body ended before it.
    const from = Math.max(bodyStart, this.scanned - 64);
    const to = Math.min(this.buf.length, bodyStart + length);
    const nextAt = from < to ? this.buf.toString('latin1', from, to).search(NEXT_HEADER_RE) : -1;
    this.scanned = to;
    if (nextAt >= 0) {
      this.problem(`message body shorter than its Content-Length ${length}: skipped`);
      this.consume(from + nextAt);
      return true;
    }
    if (this.buf.length < bodyStart + length) {
      // Wait for the rest of the body without scanning it again: a header inside it is
      // found by the scan above once the body is complete.
      this.need = bodyStart + length - this.buf.length;
      return false;
    }
    const body = this.buf.toString('utf8', bodyStart, bodyStart + length);
    this.consume(bodyStart + length);
    let msg: unknown;
    try {
      msg = JSON.parse(body);
    } catch (e) {
      this.problem(`message body is not valid JSON (${(e as Error).message}): skipped`);
      return true;
    }
    if (msg === null || typeof msg !== 'object' || Array.isArray(msg)) {
      this.problem('message body is not a JSON-RPC message object: skipped');
      return true;
    }
    this.callback?.(msg as Parameters<DataCallback>[0]);
    return true;
  }

  private skip(n: number, what: string): void {
    const bytes = this.buf.subarray(0, n);
    if (bytes.toString('latin1').trim().length > 0) this.problem(`skipped ${n} ${what}`);
    this.consume(n);
  }

  private consume(n: number): void {
    this.buf = this.buf.subarray(n);
    this.scanned = 0;
  }
}
