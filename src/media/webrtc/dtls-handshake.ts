/**
 * DTLS 1.2 handshake messages (RFC 6347 4.2.2): the 12-byte header with message_seq and
 * fragment fields, reassembly of fragments, and reading the ClientHello (RFC 5246 7.4.1.2).
 */
export const CLIENT_HELLO = 1;
export const SERVER_HELLO = 2;
export const CERTIFICATE = 11;
export const SERVER_KEY_EXCHANGE = 12;
export const CERTIFICATE_REQUEST = 13;
export const SERVER_HELLO_DONE = 14;
export const CERTIFICATE_VERIFY = 15;
export const CLIENT_KEY_EXCHANGE = 16;
export const FINISHED = 20;

const HEADER = 12;
/** No message a DTLS-SRTP client sends is near this (a certificate chain of a few KiB at most). */
const MAX_MESSAGE = 16_384;

export interface HandshakeMessage {
  readonly type: number;
  readonly seq: number;
  readonly body: Buffer;
  /** The epoch of the record(s) it came in. */
  readonly epoch: number;
}

/** The message as the transcript hashes it: unfragmented (RFC 6347 4.2.6). */
export function writeHandshake(type: number, seq: number, body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(HEADER + body.length);
  out[0] = type;
  out.writeUIntBE(body.length, 1, 3);
  out.writeUInt16BE(seq, 4);
  out.writeUIntBE(0, 6, 3);
  out.writeUIntBE(body.length, 9, 3);
  body.copy(out, HEADER);
  return out;
}

interface Partial {
  readonly type: number;
  readonly body: Buffer;
  readonly have: Uint8Array;
  missing: number;
}

/** Collects the fragments of handshake messages until each is whole (RFC 6347 4.2.3). */
export class HandshakeReassembler {
  private readonly partial = new Map<number, Partial>();

  /** The whole messages the record's fragment completes; undefined when it is malformed. */
  add(fragment: Buffer, epoch: number): HandshakeMessage[] | undefined {
    const done: HandshakeMessage[] = [];
    let at = 0;
    while (at < fragment.length) {
      if (at + HEADER > fragment.length) return undefined;
      const type = fragment[at];
      const length = fragment.readUIntBE(at + 1, 3);
      const seq = fragment.readUInt16BE(at + 4);
      const offset = fragment.readUIntBE(at + 6, 3);
      const size = fragment.readUIntBE(at + 9, 3);
      const start = at + HEADER;
      if (start + size > fragment.length || offset + size > length || length > MAX_MESSAGE) return undefined;
      at = start + size;
      if (offset === 0 && size === length) {
        this.partial.delete(seq);
        done.push({ type, seq, epoch, body: Buffer.from(fragment.subarray(start, start + size)) });
        continue;
      }
      let entry = this.partial.get(seq);
      if (entry === undefined) {
        // A handful of messages are ever in flight at once; more is an attack on memory.
        if (this.partial.size >= 8) return undefined;
        entry = { type, body: Buffer.alloc(length), have: new Uint8Array(length), missing: length };
        this.partial.set(seq, entry);
      }
      if (entry.type !== type || entry.body.length !== length) return undefined;
      for (let i = 0; i < size; i++) {
        if (entry.have[offset + i] === 0) {
          entry.have[offset + i] = 1;
          entry.missing -= 1;
        }
      }
      fragment.copy(entry.body, offset, start, start + size);
      if (entry.missing === 0) {
        this.partial.delete(seq);
        done.push({ type, seq, epoch, body: entry.body });
      }
    }
    return done;
  }

  clear(): void {
    this.partial.clear();
  }
}

export interface ClientHello {
  readonly random: Buffer;
  readonly cipherSuites: number[];
  /** Extension type -> body. */
  readonly extensions: Map<number, Buffer>;
}

/** RFC 5246 7.4.1.2 with RFC 6347 4.2.1's cookie; undefined when malformed. */
export function readClientHello(body: Buffer): ClientHello | undefined {
  try {
    let at = 2;
    const random = body.subarray(at, at + 32);
    at += 32;
    at += 1 + body[at]; // session_id
    at += 1 + body[at]; // cookie
    const suitesLength = body.readUInt16BE(at);
    at += 2;
    const cipherSuites: number[] = [];
    for (let i = 0; i + 1 < suitesLength; i += 2) cipherSuites.push(body.readUInt16BE(at + i));
    at += suitesLength;
    at += 1 + body[at]; // compression methods
    const extensions = new Map<number, Buffer>();
    if (at + 2 <= body.length) {
      const end = at + 2 + body.readUInt16BE(at);
      at += 2;
      while (at + 4 <= end) {
        const type = body.readUInt16BE(at);
        const size = body.readUInt16BE(at + 2);
        extensions.set(type, body.subarray(at + 4, at + 4 + size));
        at += 4 + size;
      }
    }
    if (random.length !== 32 || at > body.length) return undefined;
    return { random: Buffer.from(random), cipherSuites, extensions };
  } catch {
    return undefined;
  }
}

/** The 16-bit items of a list with a 2-byte length (supported_groups, use_srtp's profiles). */
export function readUint16List(data: Buffer | undefined): number[] {
  if (data === undefined || data.length < 2) return [];
  const length = Math.min(data.readUInt16BE(0), data.length - 2);
  const items: number[] = [];
  for (let i = 0; i + 1 < length; i += 2) items.push(data.readUInt16BE(2 + i));
  return items;
}

/** A vector with a 1-, 2- or 3-byte length prefix. */
export function vector(prefix: 1 | 2 | 3, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const out = Buffer.allocUnsafe(prefix + body.length);
  out.writeUIntBE(body.length, 0, prefix);
  body.copy(out, prefix);
  return out;
}

export function uint16(...values: number[]): Buffer {
  const out = Buffer.allocUnsafe(2 * values.length);
  for (const [i, value] of values.entries()) out.writeUInt16BE(value, 2 * i);
  return out;
}
