/**
 * The outgoing RTP stream of one media endpoint. One SSRC for the endpoint's life, sequence numbers
 * and timestamps continuous across everything it plays (prompts, tones, echo, a bridge, a
 * conference), whatever the source: RFC 3550 5.1 (random initial sequence number and timestamp),
 * RFC 3551 4.1 (the marker bit on the first packet of each talkspurt, after silence was not sent).
 * The timestamp advances by one frame per tick whether a packet is sent or not, so a gap in
 * sending reads to the receiver as silence of exactly that length.
 */
import { randomBytes } from "node:crypto";
import { FRAME_SAMPLES } from "../dsp/g711.js";
import { writeRtpHeader } from "./rtp-packet.js";

export const RTP_HEADER_BYTES = 12;

export class RtpSender {
  readonly ssrc: number;
  private sequence: number;
  private timestamp: number;
  /** The previous tick sent nothing: the next packet starts a talkspurt (marker bit). */
  private silent = true;
  packetsSent = 0;
  bytesSent = 0;

  constructor() {
    const seed = randomBytes(10);
    this.ssrc = seed.readUInt32BE(0);
    this.sequence = seed.readUInt16BE(4);
    this.timestamp = seed.readUInt32BE(6);
  }

  /**
   * The packet of this tick: header + a copy of the payload, in a fresh buffer (dgram may send it
   * after this returns, so a buffer is never reused). Advances the stream by one frame.
   */
  packet(payloadType: number, payload: Uint8Array, length = payload.length): Buffer {
    const out = Buffer.allocUnsafe(RTP_HEADER_BYTES + length);
    writeRtpHeader(out, payloadType, this.silent, this.sequence, this.timestamp, this.ssrc);
    out.set(length === payload.length ? payload : payload.subarray(0, length), RTP_HEADER_BYTES);
    this.sequence = (this.sequence + 1) & 0xffff;
    this.timestamp = (this.timestamp + FRAME_SAMPLES) >>> 0;
    this.silent = false;
    this.packetsSent++;
    this.bytesSent += out.length;
    return out;
  }

  /** A tick (or several, after a stall) with nothing to send: time passes, a talkspurt ends. */
  skip(frames = 1): void {
    this.timestamp = (this.timestamp + FRAME_SAMPLES * frames) >>> 0;
    this.silent = true;
  }
}
