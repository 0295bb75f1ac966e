// A JSON-RPC message reader for stdin that survives a misbehaving client: garbage bytes,
// a missing, malformed or wrong Content-Length, an invalid JSON body. Each problem is
// reported and skipped, and the reader re-syncs on the next `Content-Length` header, so the
// server stays up and answers the next well-formed message. (vscode-jsonrpc's own reader
// can stay out of sync after such input.)
//
// A large body (a didOpen of a 10 MB file) is decoded and parsed in a worker thread
// (server/jsonWorker.ts) while later messages are read and dispatched: one on another
// document goes on at once, one on the same document (or on none: lifecycle, responses,
// cancellations) waits for it, so each document sees its messages in the order they were
// sent.

import { AbstractMessageReader, Disposable, type DataCallback, type MessageReader } from 'vscode-languageserver/node';
import type { BodyParser } from './jsonWorker';

/** Bodies at least this large (bytes) are parsed off the main thread, when a parser is given. */
export const LARGE_BODY = 512 * 1024;
/** How much of a large body is searched for the document it concerns. */
const PREFIX_BYTES = 64 * 1024;

type Message = Parameters<DataCallback>[0];

/** A message read but not dispatched yet: a large one being parsed, or one that waits for it. */
interface Held {
  /** the document it concerns; undefined: none known, so it waits for everything before it, and everything after it waits */
  uri: string | undefined;
  ready: boolean;
  message?: Message;
}

/** A large body being received: its chunks so far, and how many bytes are still to come. */
interface LargeBody {
  chunks: Buffer[];
  remaining: number;
}

function documentOf(m: unknown): string | undefined {
  const uri = (m as { params?: { textDocument?: { uri?: unknown } } } | null)?.params?.textDocument?.uri;
  return typeof uri === 'string' ? uri : undefined;
}

/**
 * The `params.textDocument.uri` of a JSON message from the start of its text, or
 * undefined when it is not there (or not before the text cuts off). A minimal walk over
 * JSON tokens: the string values are skipped, not decoded, so a document's text is not.
 */
export function documentOfPrefix(text: string): string | undefined {
  const path: string[] = [];
  let key: string | undefined;
  let expectKey = false;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      let j = i + 1;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (d === 92) j += 2;
        else if (d === 34) break;
        else j++;
      }
      if (j >= n) return undefined;
      if (expectKey) {
        try {
          key = JSON.parse(text.slice(i, j + 1)) as string;
        } catch {
          return undefined;
        }
        expectKey = false;
      } else {
        if (key === 'uri' && path.length === 3 && path[1] === 'params' && path[2] === 'textDocument') {
          try {
            return JSON.parse(text.slice(i, j + 1)) as string;
          } catch {
            return undefined;
          }
        }
        key = undefined;
      }
      i = j + 1;
    } else if (c === 123 /* { */) {
      path.push(key ?? '');
      key = undefined;
      expectKey = true;
      i++;
    } else if (c === 91 /* [ */) {
      path.push(`${key ?? ''}[]`);
      key = undefined;
      i++;
    } else if (c === 125 /* } */ || c === 93 /* ] */) {
      path.pop();
      key = undefined;
      i++;
    } else if (c === 44 /* , */) {
      expectKey = !(path[path.length - 1] ?? '').endsWith('[]');
      key = expectKey ? undefined : key;
      i++;
    } else i++; // `:`, white space, numbers, true / false / null

  }
  return undefined;
}

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
  /** the large body being received, streamed to `bodies` */
  private large: LargeBody | undefined;
  /** messages read, in order, that wait for a large one before them */
  private held: Held[] = [];

  constructor(
    private readonly input: NodeJS.ReadableStream,
    private readonly problem: (message: string) => void,
    /** parses large bodies off the main thread; without it every body is parsed here */
    private readonly bodies?: BodyParser,
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
      const large = this.large;
      if (large && !header) {
        const n = Math.min(chunk.length, large.remaining);
        // The last chunk's bytes after the body are the next message's: that chunk is copied.
        large.chunks.push(n === chunk.length ? chunk : Buffer.from(chunk.subarray(0, n)));
        large.remaining -= n;
        if (large.remaining > 0) return;
        // Complete: what follows it is the next message. Nothing is joined or decoded here.
        this.large = undefined;
        // (The chunks are moved to the worker: nothing here may keep a view of them.)
        this.buf = n === chunk.length ? Buffer.alloc(0) : chunk.subarray(n);
        this.scanned = 0;
        this.tail = '';
        this.tailBytes = Buffer.alloc(0);
        this.pending = [];
        this.pendingBytes = 0;
        this.need = 0;
        this.parseLarge(large.chunks);
        this.drainBuffer();
        return;
      }
      // The body is shorter than its Content-Length: re-synced below, as for any body.
      this.large = undefined;
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
    this.drainBuffer();
  }

  private drainBuffer(): void {
    try {
      while (this.next());
    } catch (e) {
      // Never let a bug here take the server down: drop what we have and re-sync.
      this.problem(`message reader: ${(e as Error).message}`);
      this.consume(this.buf.length);
    }
  }

  /** A large body is complete: it takes its place in the order while the worker parses it. */
  private parseLarge(chunks: Buffer[]): void {
    const prefix: Buffer[] = [];
    for (let i = 0, n = 0; i < chunks.length && n < PREFIX_BYTES; n += chunks[i]!.length, i++) prefix.push(chunks[i]!);
    const uri = documentOfPrefix(Buffer.concat(prefix).subarray(0, PREFIX_BYTES).toString('utf8'));
    const entry: Held = { uri, ready: false };
    this.held.push(entry);
    void this.bodies!.parse(chunks).then((r) => {
      entry.ready = true;
      if ('error' in r) this.problem(`message body is not valid JSON (${r.error}): skipped`);
      else if (r.message === null || typeof r.message !== 'object' || Array.isArray(r.message)) {
        this.problem('message body is not a JSON-RPC message object: skipped');
      } else entry.message = r.message as Message;
      this.drainHeld();
    });
  }

  /** Dispatches a message now, unless one before it on the same document (or on none) is still being parsed. */
  private emit(message: Message): void {
    if (this.held.length === 0) {
      this.callback?.(message);
      return;
    }
    const uri = documentOf(message);
    if (uri !== undefined && !this.held.some((h) => h.uri === undefined || h.uri === uri)) {
      this.callback?.(message);
      return;
    }
    this.held.push({ uri, ready: true, message });
  }

  /** Dispatches every held message that nothing before it holds back, in order. */
  private drainHeld(): void {
    const rest: Held[] = [];
    const blocked = new Set<string>();
    let barrier = false;
    for (const h of this.held) {
      const free = h.ready && !barrier && (h.uri === undefined ? rest.length === 0 : !blocked.has(h.uri));
      if (free) {
        if (h.message) this.callback?.(h.message);
        continue;
      }
      rest.push(h);
      if (h.uri === undefined) barrier = true;
      else blocked.add(h.uri);
    }
    this.held = rest;
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
    if (this.bodies && length >= LARGE_BODY) {
      // Kept as it comes and parsed in the worker: neither joined nor decoded here. The
      // bytes at hand are copied (the buffer holds what follows them, or is re-synced from).
      const have = Buffer.from(this.buf.subarray(bodyStart, Math.min(this.buf.length, bodyStart + length)));
      const large: LargeBody = { chunks: [have], remaining: length - have.length };
      if (large.remaining === 0) {
        this.consume(bodyStart + length);
        this.parseLarge(large.chunks);
        return true;
      }
      this.large = large;
      this.need = large.remaining;
      return false;
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
    this.emit(msg as Message);
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
