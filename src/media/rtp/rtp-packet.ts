/**
 * The RTP fixed header (RFC 3550 5.1) read in place from a received datagram, and written for the
 * packets Parley sends. Reading allocates nothing: the fields land in a reusable RtpHeader.
 */

export interface RtpHeader {
  payloadType: number;
  marker: boolean;
  sequence: number;
  timestamp: number;
  ssrc: number;
  /** Where the payload starts (after CSRCs and a header extension) and how long it is (padding off). */
  payloadOffset: number;
  payloadLength: number;
}

export function emptyHeader(): RtpHeader {
  return {
    payloadType: 0,
    marker: false,
    sequence: 0,
    timestamp: 0,
    ssrc: 0,
    payloadOffset: 0,
    payloadLength: 0,
  };
}

/**
 * Reads an RTP header into `out`; false when the datagram is not RTP version 2 or is cut short
 * (RFC 3550 A.1 validity checks: version, padding and extension lengths within the packet).
 */
export function readRtpHeader(packet: Uint8Array, length: number, out: RtpHeader): boolean {
  if (length < 12) return false;
  const b0 = packet[0];
  if (b0 >> 6 !== 2) return false;
  const csrcCount = b0 & 0x0f;
  let offset = 12 + csrcCount * 4;
  if ((b0 & 0x10) !== 0) {
    // RFC 3550 5.3.1: a 4-byte extension header whose length counts 32-bit words after it.
    if (offset + 4 > length) return false;
    offset += 4 + ((packet[offset + 2] << 8) | packet[offset + 3]) * 4;
  }
  let end = length;
  if ((b0 & 0x20) !== 0) {
    // RFC 3550 5.1: the last octet of the padding counts the padding octets, itself included.
    const padding = packet[length - 1];
    if (padding === 0) return false;
    end -= padding;
  }
  if (offset > end) return false;
  const b1 = packet[1];
  out.marker = (b1 & 0x80) !== 0;
  out.payloadType = b1 & 0x7f;
  out.sequence = (packet[2] << 8) | packet[3];
  out.timestamp = ((packet[4] << 24) | (packet[5] << 16) | (packet[6] << 8) | packet[7]) >>> 0;
  out.ssrc = ((packet[8] << 24) | (packet[9] << 16) | (packet[10] << 8) | packet[11]) >>> 0;
  out.payloadOffset = offset;
  out.payloadLength = end - offset;
  return true;
}

/** RFC 5761 4: on a muxed port, a second byte of 192-223 (PT 64-95 with M) is RTCP, not RTP. */
export function isRtcpPacket(packet: Uint8Array, length: number): boolean {
  return length >= 2 && packet[1] >= 192 && packet[1] <= 223;
}

/** Writes a 12-byte RTP header (no CSRC, no extension, no padding) at the start of `packet`. */
export function writeRtpHeader(
  packet: Uint8Array,
  payloadType: number,
  marker: boolean,
  sequence: number,
  timestamp: number,
  ssrc: number,
): void {
  packet[0] = 0x80;
  packet[1] = (marker ? 0x80 : 0) | (payloadType & 0x7f);
  packet[2] = (sequence >>> 8) & 0xff;
  packet[3] = sequence & 0xff;
  packet[4] = (timestamp >>> 24) & 0xff;
  packet[5] = (timestamp >>> 16) & 0xff;
  packet[6] = (timestamp >>> 8) & 0xff;
  packet[7] = timestamp & 0xff;
  packet[8] = (ssrc >>> 24) & 0xff;
  packet[9] = (ssrc >>> 16) & 0xff;
  packet[10] = (ssrc >>> 8) & 0xff;
  packet[11] = ssrc & 0xff;
}
