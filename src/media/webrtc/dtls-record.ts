/**
 * DTLS 1.2 records (RFC 6347 4.1) and the TLS 1.2 arithmetic a DTLS-SRTP server needs: the PRF
 * (RFC 5246 5), and AES-128-GCM record protection (RFC 5288 3, RFC 6347 4.1.2.1).
 */
import { createCipheriv, createDecipheriv, createHmac } from "node:crypto";

export const DTLS_1_2 = 0xfefd;
export const CHANGE_CIPHER_SPEC = 20;
export const ALERT = 21;
export const HANDSHAKE = 22;
export const APPLICATION_DATA = 23;
export const RECORD_HEADER = 13;

export interface DtlsRecord {
  readonly type: number;
  readonly epoch: number;
  /** The 48-bit sequence number (a safe integer). */
  readonly sequence: number;
  readonly fragment: Buffer;
}

/** Every whole record of a datagram (RFC 6347 4.1.1: a datagram may carry several). */
export function readRecords(datagram: Buffer): DtlsRecord[] {
  const records: DtlsRecord[] = [];
  let at = 0;
  while (at + RECORD_HEADER <= datagram.length) {
    const length = datagram.readUInt16BE(at + 11);
    const end = at + RECORD_HEADER + length;
    if (end > datagram.length) break;
    records.push({
      type: datagram[at],
      epoch: datagram.readUInt16BE(at + 3),
      sequence: datagram.readUIntBE(at + 5, 6),
      fragment: datagram.subarray(at + RECORD_HEADER, end),
    });
    at = end;
  }
  return records;
}

export function writeRecord(type: number, epoch: number, sequence: number, fragment: Buffer): Buffer {
  const out = Buffer.allocUnsafe(RECORD_HEADER + fragment.length);
  out[0] = type;
  out.writeUInt16BE(DTLS_1_2, 1);
  out.writeUInt16BE(epoch, 3);
  out.writeUIntBE(sequence, 5, 6);
  out.writeUInt16BE(fragment.length, 11);
  fragment.copy(out, RECORD_HEADER);
  return out;
}

/** RFC 5246 5: PRF(secret, label, seed) = P_SHA256(secret, label + seed), cut to `length`. */
export function prf(secret: Buffer, label: string, seed: Buffer, length: number): Buffer {
  const labelSeed = Buffer.concat([Buffer.from(label, "ascii"), seed]);
  const out: Buffer[] = [];
  let total = 0;
  let a = labelSeed;
  while (total < length) {
    a = createHmac("sha256", secret).update(a).digest();
    const block = createHmac("sha256", secret).update(a).update(labelSeed).digest();
    out.push(block);
    total += block.length;
  }
  return Buffer.concat(out).subarray(0, length);
}

/** RFC 5246 6.2.3.3: additional_data = seq_num + type + version + length (of the plaintext). */
function additionalData(type: number, epoch: number, sequence: number, length: number): Buffer {
  const aad = Buffer.allocUnsafe(13);
  aad.writeUInt16BE(epoch, 0);
  aad.writeUIntBE(sequence, 2, 6);
  aad[8] = type;
  aad.writeUInt16BE(DTLS_1_2, 9);
  aad.writeUInt16BE(length, 11);
  return aad;
}

/**
 * One direction of TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 records (RFC 5288 3): the nonce is the
 * 4-byte implicit IV and an 8-byte explicit part sent in the record (here epoch + sequence, which
 * never repeats), and the 16-byte tag follows the ciphertext.
 */
export class GcmRecordCipher {
  constructor(
    private readonly key: Buffer,
    private readonly implicitIv: Buffer,
  ) {}

  seal(type: number, epoch: number, sequence: number, plaintext: Buffer): Buffer {
    const explicit = Buffer.allocUnsafe(8);
    explicit.writeUInt16BE(epoch, 0);
    explicit.writeUIntBE(sequence, 2, 6);
    const cipher = createCipheriv("aes-128-gcm", this.key, Buffer.concat([this.implicitIv, explicit]));
    cipher.setAAD(additionalData(type, epoch, sequence, plaintext.length));
    const body = Buffer.concat([explicit, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    return writeRecord(type, epoch, sequence, body);
  }

  /** The plaintext of a record, or undefined when it does not authenticate. */
  open(record: DtlsRecord): Buffer | undefined {
    const fragment = record.fragment;
    if (fragment.length < 8 + 16) return undefined;
    const length = fragment.length - 8 - 16;
    const decipher = createDecipheriv(
      "aes-128-gcm",
      this.key,
      Buffer.concat([this.implicitIv, fragment.subarray(0, 8)]),
    );
    decipher.setAAD(additionalData(record.type, record.epoch, record.sequence, length));
    decipher.setAuthTag(fragment.subarray(8 + length));
    try {
      return Buffer.concat([decipher.update(fragment.subarray(8, 8 + length)), decipher.final()]);
    } catch {
      return undefined;
    }
  }
}
