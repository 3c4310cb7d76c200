/**
 * Message framing on a stream transport (TCP, TLS). Pure: bytes in, events out; no sockets, no
 * timers. RFC 3261 18.3: "In the case of stream-oriented transports such as TCP, the
 * Content-Length header field indicates the size of the body. All SIP implementations MUST use
 * this to find the end of the message."
 */

/** Why framing failed. After an error the stream cannot be resynchronised: close it. */
export type FramingErrorCode = "missing-content-length" | "bad-content-length" | "too-large";

export type FramerEvent =
  /** One complete message: start line, headers, blank line and exactly Content-Length body bytes. */
  | { readonly kind: "message"; readonly data: Buffer }
  /** RFC 5626 3.5.1: a double-CRLF "ping" between messages; answer with a single CRLF "pong". */
  | { readonly kind: "ping" }
  /**
   * Unrecoverable framing error. `head` holds the complete header section when it was readable,
   * so the caller can still parse it and answer 400/513 before closing.
   */
  | {
      readonly kind: "error";
      readonly code: FramingErrorCode;
      readonly reason: string;
      readonly head: Buffer | undefined;
    };

const CR = 0x0d;
const LF = 0x0a;
const EMPTY = Buffer.alloc(0);

type ContentLength = { ok: true; length: number } | { ok: false; code: FramingErrorCode; reason: string };

export class StreamFramer {
  /** Unconsumed bytes; after keep-alive skipping it is empty or starts with a message. */
  private buffer: Buffer = EMPTY;
  /** Where the search for the blank line resumes, so a slow header section is scanned once. */
  private scanFrom = 0;
  /** LFs skipped between messages since the last ping or message (keep-alive detection). */
  private lineFeeds = 0;
  /** Offset of the body once the header section is complete, else -1. */
  private bodyStart = -1;
  private bodyLength = 0;
  /** True once the first byte of a message (not a keep-alive) is buffered. */
  private started = false;
  private failed = false;

  constructor(private readonly maxMessageSize: number) {}

  /** True while part of a message is buffered (drives the partial-message timeout). */
  get inMessage(): boolean {
    return !this.failed && this.buffer.length > 0;
  }

  /** Bytes buffered and not yet delivered. */
  get buffered(): number {
    return this.buffer.length;
  }

  /** Feed the next chunk read from the stream; returns what became complete, in order. */
  push(chunk: Buffer): FramerEvent[] {
    if (this.failed) return [];
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const events: FramerEvent[] = [];
    for (;;) {
      if (this.bodyStart < 0) {
        if (!this.skipKeepAlives(events)) break;
        const end = this.findHeaderEnd();
        if (end < 0) {
          if (this.buffer.length > this.maxMessageSize) {
            events.push(this.fail("too-large", "Message Too Large", undefined));
          }
          break;
        }
        const head = this.buffer.subarray(0, end);
        const cl = readContentLength(head);
        if (!cl.ok) {
          events.push(this.fail(cl.code, cl.reason, Buffer.from(head)));
          break;
        }
        if (end + cl.length > this.maxMessageSize) {
          events.push(this.fail("too-large", "Message Too Large", Buffer.from(head)));
          break;
        }
        this.bodyStart = end;
        this.bodyLength = cl.length;
      }
      const total = this.bodyStart + this.bodyLength;
      if (this.buffer.length < total) break;
      events.push({ kind: "message", data: Buffer.from(this.buffer.subarray(0, total)) });
      this.buffer = this.buffer.length === total ? EMPTY : this.buffer.subarray(total);
      this.bodyStart = -1;
      this.bodyLength = 0;
      this.scanFrom = 0;
      this.started = false;
    }
    return events;
  }

  /**
   * RFC 3261 7.5: "Implementations processing SIP messages over stream-oriented transports MUST
   * ignore any CRLF appearing before the start-line". Every second LF skipped is a RFC 5626 ping.
   * Returns false when nothing but keep-alive bytes is buffered.
   */
  private skipKeepAlives(events: FramerEvent[]): boolean {
    if (this.started) return true;
    let i = 0;
    const buf = this.buffer;
    while (i < buf.length && (buf[i] === CR || buf[i] === LF)) {
      if (buf[i] === LF && ++this.lineFeeds === 2) {
        events.push({ kind: "ping" });
        this.lineFeeds = 0;
      }
      i++;
    }
    this.buffer = i === buf.length ? EMPTY : buf.subarray(i);
    if (this.buffer.length === 0) return false;
    this.lineFeeds = 0;
    this.started = true;
    return true;
  }

  /**
   * Offset just past the blank line ending the header section (CRLFCRLF; a bare LFLF is
   * tolerated), or -1 if not yet received.
   */
  private findHeaderEnd(): number {
    const buf = this.buffer;
    let pos = this.scanFrom;
    for (;;) {
      const lf = buf.indexOf(LF, pos);
      if (lf < 0) {
        this.scanFrom = buf.length;
        return -1;
      }
      if (lf + 1 >= buf.length || (buf[lf + 1] === CR && lf + 2 >= buf.length)) {
        this.scanFrom = lf; // cannot decide yet: look at this LF again with more bytes
        return -1;
      }
      if (buf[lf + 1] === LF) return lf + 2;
      if (buf[lf + 1] === CR && buf[lf + 2] === LF) return lf + 3;
      pos = lf + 1;
    }
  }

  private fail(code: FramingErrorCode, reason: string, head: Buffer | undefined): FramerEvent {
    this.failed = true;
    this.buffer = EMPTY;
    return { kind: "error", code, reason, head };
  }
}

/**
 * Find Content-Length (compact form "l", RFC 3261 7.3.3) in a header section. Mandatory on
 * streams (RFC 3261 18.3, 20.14); missing, non-numeric, negative or conflicting values fail.
 */
export function readContentLength(head: Buffer): ContentLength {
  const lines = head.toString("latin1").split(/\r?\n/);
  let value: string | undefined;
  let current: string | undefined;
  const finish = (line: string | undefined): ContentLength | undefined => {
    if (line === undefined) return undefined;
    const colon = line.indexOf(":");
    if (colon < 0) return undefined;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (name !== "content-length" && name !== "l") return undefined;
    const v = line.slice(colon + 1).trim();
    if (value !== undefined && value !== v) {
      return { ok: false, code: "bad-content-length", reason: "Conflicting Content-Length" };
    }
    value = v;
    return undefined;
  };
  // Line 0 is the start line; header lines may be folded (RFC 3261 7.3.1).
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (line.length > 0 && (line[0] === " " || line[0] === "\t")) {
      if (current !== undefined) current += " " + line.trim();
      continue;
    }
    const err = finish(current);
    if (err) return err;
    current = line.length > 0 ? line : undefined;
  }
  const err = finish(current);
  if (err) return err;
  if (value === undefined)
    return { ok: false, code: "missing-content-length", reason: "Missing Content-Length" };
  if (!/^[0-9]{1,9}$/.test(value)) {
    return /^[0-9]+$/.test(value)
      ? { ok: false, code: "too-large", reason: "Message Too Large" }
      : { ok: false, code: "bad-content-length", reason: "Bad Content-Length" };
  }
  return { ok: true, length: Number(value) };
}
