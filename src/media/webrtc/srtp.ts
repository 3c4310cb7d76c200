/**
 * SRTP and SRTCP (RFC 3711) with AES_CM_128_HMAC_SHA1_80, the profile every browser offers in
 * DTLS-SRTP (RFC 5764 4.1.2, SRTP_AES128_CM_HMAC_SHA1_80 = 0x0001). One SrtpSession holds one
 * direction's keys: protect() for what we send, unprotect() for what we receive.
 */
import { type Cipher, createCipheriv, createHmac, timingSafeEqual } from "node:crypto";

/** One AES-128 block cipher per key, kept for the session (no padding: whole blocks only). */
function ecbOf(key: Buffer): Cipher {
  const cipher = createCipheriv("aes-128-ecb", key, null);
  cipher.setAutoPadding(false);
  return cipher;
}

/**
 * RFC 3711 4.1.1 AES counter mode built on the session's one ECB cipher: the keystream is the
 * encryption of IV, IV+1, ... (the IV's low 16 bits are the block counter, zero at the start), XORed
 * into `dst` at `at`. A new aes-128-ctr cipher per packet cost about 5 us and its garbage paused the
 * media worker (the WebRTC relay bench's p99); this is about 2 us.
 */
function ctrXor(ecb: Cipher, iv: Buffer, src: Buffer, dst: Buffer, at: number): void {
  const blocks = (src.length + 15) >> 4;
  if (scratchCounters.length < blocks * 16) scratchCounters = Buffer.alloc(blocks * 16);
  const counters =
    blocks * 16 === scratchCounters.length ? scratchCounters : scratchCounters.subarray(0, blocks * 16);
  const low = iv.readUInt16BE(14);
  for (let b = 0; b < blocks; b++) {
    iv.copy(counters, b * 16);
    counters.writeUInt16BE((low + b) & 0xffff, b * 16 + 14);
  }
  const keystream = ecb.update(counters);
  for (let i = 0; i < src.length; i++) dst[at + i] = src[i] ^ keystream[i];
}

const TAG = 10;
const RTCP_INDEX = 4;
/** RFC 3711 3.3.2: the replay window SHOULD be at least 64 packets. */
const WINDOW = 64n;

/**
 * RFC 3711 4.3.1 with key_derivation_rate 0: x = (label << 48) XOR master_salt, and the session
 * key is the AES-CM keystream at IV = x * 2^16.
 */
export function deriveKey(masterKey: Buffer, masterSalt: Buffer, label: number, length: number): Buffer {
  const iv = Buffer.alloc(16);
  masterSalt.copy(iv, 0, 0, 14);
  iv[7] ^= label;
  const cipher = createCipheriv("aes-128-ctr", masterKey, iv);
  return cipher.update(Buffer.alloc(length));
}

/** RFC 3711 4.1.1: IV = (k_s * 2^16) XOR (SSRC * 2^64) XOR (i * 2^16). */
export function counterIv(salt: Buffer, ssrc: number, index: bigint): Buffer {
  return fillIv(Buffer.alloc(16), salt, ssrc, Number(index >> 32n) & 0xffff, Number(index & 0xffffffffn));
}

/** counterIv into `iv` (reused: the media path allocates nothing per packet), the 48-bit index as its high 16 and low 32 bits. */
function fillIv(iv: Buffer, salt: Buffer, ssrc: number, high: number, low: number): Buffer {
  salt.copy(iv, 0, 0, 14);
  iv[14] = 0;
  iv[15] = 0;
  iv.writeUInt32BE((iv.readUInt32BE(4) ^ ssrc) >>> 0, 4);
  iv.writeUInt16BE(iv.readUInt16BE(8) ^ high, 8);
  iv.writeUInt32BE((iv.readUInt32BE(10) ^ low) >>> 0, 10);
  return iv;
}

/** The RTP index i = 2^16 * ROC + SEQ (RFC 3711 3.3.1) as fillIv's high and low words. */
function ivWords(roc: number, seq: number): [number, number] {
  return [(roc >>> 16) & 0xffff, (((roc & 0xffff) << 16) | seq) >>> 0];
}

/**
 * Scratch buffers of the worker's one thread: the IV, the counter blocks and the ROC bytes are
 * consumed by the synchronous cipher and HMAC calls before the next packet.
 */
const scratchIv = Buffer.alloc(16);
const scratchRoc = Buffer.alloc(4);
let scratchCounters = Buffer.alloc(16 * 96);

interface Keys {
  /** The key's block cipher, made on first use (ctrXor). */
  ecb?: Cipher;
  readonly encryption: Buffer;
  readonly salt: Buffer;
  readonly auth: Buffer;
}

/** What a receiver remembers per SSRC (RFC 3711 3.3.1): the highest index seen and a window. */
interface ReplayState {
  index: bigint;
  window: bigint;
}

function headerLength(packet: Buffer): number {
  const csrcs = packet[0] & 0x0f;
  let length = 12 + 4 * csrcs;
  // RFC 3550 5.3.1: the extension header's length is in 32-bit words after its first 4 bytes.
  if (packet[0] & 0x10 && packet.length >= length + 4) length += 4 + 4 * packet.readUInt16BE(length + 2);
  return length;
}

/** Checks and records an index in a 64-packet sliding window (RFC 3711 3.3.2). */
function replayCheck(state: ReplayState | undefined, index: bigint): boolean {
  if (state === undefined || index > state.index) return true;
  const behind = state.index - index;
  return behind < WINDOW && ((state.window >> behind) & 1n) === 0n;
}

function replayRecord(map: Map<number, ReplayState>, ssrc: number, index: bigint): void {
  const state = map.get(ssrc);
  if (state === undefined) {
    map.set(ssrc, { index, window: 1n });
  } else if (index > state.index) {
    const ahead = index - state.index;
    state.window = ahead >= WINDOW ? 1n : ((state.window << ahead) | 1n) & ((1n << WINDOW) - 1n);
    state.index = index;
  } else {
    state.window |= 1n << (state.index - index);
  }
}

/** At most this many SSRCs are tracked per direction (a call has one or two). */
const MAX_SSRCS = 16;

export class SrtpSession {
  private readonly rtp: Keys;
  private readonly rtcp: Keys;
  /** Sending: per SSRC, the rollover counter and last sequence number. */
  private readonly sent = new Map<number, { roc: number; seq: number }>();
  private rtcpIndex = 0;
  /** Receiving: per SSRC, the replay state of RTP (index = ROC * 65536 + SEQ) and of RTCP. */
  private readonly received = new Map<number, ReplayState>();
  private readonly receivedRtcp = new Map<number, ReplayState>();

  constructor(masterKey: Buffer, masterSalt: Buffer) {
    // RFC 3711 4.3.2: labels 0..2 for SRTP, 3..5 for SRTCP; n_e 128, n_a 160, n_s 112 bits.
    this.rtp = {
      encryption: deriveKey(masterKey, masterSalt, 0, 16),
      auth: deriveKey(masterKey, masterSalt, 1, 20),
      salt: deriveKey(masterKey, masterSalt, 2, 14),
    };
    this.rtcp = {
      encryption: deriveKey(masterKey, masterSalt, 3, 16),
      auth: deriveKey(masterKey, masterSalt, 4, 20),
      salt: deriveKey(masterKey, masterSalt, 5, 14),
    };
  }

  /** An RTP packet encrypted and tagged (RFC 3711 3.1), or undefined when it is too short. */
  protectRtp(packet: Buffer): Buffer | undefined {
    if (packet.length < 12) return undefined;
    const start = headerLength(packet);
    if (start > packet.length) return undefined;
    const ssrc = packet.readUInt32BE(8);
    const seq = packet.readUInt16BE(2);
    let state = this.sent.get(ssrc);
    if (state === undefined) {
      if (this.sent.size >= MAX_SSRCS) this.sent.clear();
      state = { roc: 0, seq };
      this.sent.set(ssrc, state);
    }
    // RFC 3711 3.3.1: the sender's ROC counts the wraps of the sequence number; a packet sent
    // late from before the last wrap (a relayed one) keeps the ROC it had.
    let roc = state.roc;
    if (seq < state.seq && state.seq - seq > 0x8000) {
      roc = state.roc = (state.roc + 1) >>> 0;
      state.seq = seq;
    } else if (seq > state.seq && seq - state.seq > 0x8000) {
      if (roc > 0) roc -= 1;
    } else if (seq > state.seq) {
      state.seq = seq;
    }
    const out = Buffer.allocUnsafe(packet.length + TAG);
    packet.copy(out, 0, 0, start);
    this.rtp.ecb ??= ecbOf(this.rtp.encryption);
    const [high, low] = ivWords(roc >>> 0, seq);
    ctrXor(
      this.rtp.ecb,
      fillIv(scratchIv, this.rtp.salt, ssrc, high, low),
      packet.subarray(start),
      out,
      start,
    );
    const hmac = createHmac("sha1", this.rtp.auth).update(out.subarray(0, packet.length));
    scratchRoc.writeUInt32BE(roc >>> 0, 0);
    hmac.update(scratchRoc).digest().copy(out, packet.length, 0, TAG);
    return out;
  }

  /** The RTP packet of an SRTP packet, or undefined (bad tag, replay, too short). */
  unprotectRtp(packet: Buffer): Buffer | undefined {
    if (packet.length < 12 + TAG) return undefined;
    const end = packet.length - TAG;
    const start = headerLength(packet);
    if (start > end) return undefined;
    const ssrc = packet.readUInt32BE(8);
    const seq = packet.readUInt16BE(2);
    const state = this.received.get(ssrc);
    // RFC 3711 3.3.1 and Appendix A: guess the ROC from the highest index seen (s_l, ROC).
    let roc = 0n;
    if (state !== undefined) {
      const sl = Number(state.index & 0xffffn);
      const lastRoc = state.index >> 16n;
      roc = lastRoc;
      if (sl < 0x8000) {
        if (seq - sl > 0x8000 && lastRoc > 0n) roc = lastRoc - 1n;
      } else if (sl - 0x8000 > seq) {
        roc = lastRoc + 1n;
      }
    }
    const index = (roc << 16n) | BigInt(seq);
    if (!replayCheck(state, index)) return undefined;
    const rocNumber = Number(roc & 0xffffffffn);
    scratchRoc.writeUInt32BE(rocNumber, 0);
    const tag = createHmac("sha1", this.rtp.auth).update(packet.subarray(0, end)).update(scratchRoc).digest();
    if (!timingSafeEqual(tag.subarray(0, TAG), packet.subarray(end))) return undefined;
    const out = Buffer.allocUnsafe(end);
    packet.copy(out, 0, 0, start);
    this.rtp.ecb ??= ecbOf(this.rtp.encryption);
    const [high, low] = ivWords(rocNumber, seq);
    ctrXor(
      this.rtp.ecb,
      fillIv(scratchIv, this.rtp.salt, ssrc, high, low),
      packet.subarray(start, end),
      out,
      start,
    );
    if (state === undefined && this.received.size >= MAX_SSRCS) this.received.clear();
    replayRecord(this.received, ssrc, index);
    return out;
  }

  /** RFC 3711 3.4: SRTCP, encrypted after the first 8 bytes, then E-flag|index, then the tag. */
  protectRtcp(packet: Buffer): Buffer | undefined {
    if (packet.length < 8) return undefined;
    const ssrc = packet.readUInt32BE(4);
    const index = this.rtcpIndex;
    this.rtcpIndex = (this.rtcpIndex + 1) & 0x7fffffff;
    const out = Buffer.allocUnsafe(packet.length + RTCP_INDEX + TAG);
    packet.copy(out, 0, 0, 8);
    this.rtcp.ecb ??= ecbOf(this.rtcp.encryption);
    ctrXor(this.rtcp.ecb, counterIv(this.rtcp.salt, ssrc, BigInt(index)), packet.subarray(8), out, 8);
    out.writeUInt32BE((0x80000000 | index) >>> 0, packet.length);
    const tagAt = packet.length + RTCP_INDEX;
    createHmac("sha1", this.rtcp.auth).update(out.subarray(0, tagAt)).digest().copy(out, tagAt, 0, TAG);
    return out;
  }

  unprotectRtcp(packet: Buffer): Buffer | undefined {
    if (packet.length < 8 + RTCP_INDEX + TAG) return undefined;
    const tagAt = packet.length - TAG;
    const indexAt = tagAt - RTCP_INDEX;
    const tag = createHmac("sha1", this.rtcp.auth).update(packet.subarray(0, tagAt)).digest();
    if (!timingSafeEqual(tag.subarray(0, TAG), packet.subarray(tagAt))) return undefined;
    const word = packet.readUInt32BE(indexAt);
    const encrypted = (word & 0x80000000) !== 0;
    const index = BigInt(word & 0x7fffffff);
    const ssrc = packet.readUInt32BE(4);
    if (!replayCheck(this.receivedRtcp.get(ssrc), index)) return undefined;
    const out = Buffer.allocUnsafe(indexAt);
    packet.copy(out, 0, 0, 8);
    if (encrypted) {
      this.rtcp.ecb ??= ecbOf(this.rtcp.encryption);
      ctrXor(this.rtcp.ecb, counterIv(this.rtcp.salt, ssrc, index), packet.subarray(8, indexAt), out, 8);
    } else {
      packet.copy(out, 8, 8, indexAt);
    }
    if (!this.receivedRtcp.has(ssrc) && this.receivedRtcp.size >= MAX_SSRCS) this.receivedRtcp.clear();
    replayRecord(this.receivedRtcp, ssrc, index);
    return out;
  }
}
