/**
 * Test helpers: a WebRtcTransport on a real dgram socket on 127.0.0.1, and werift 0.24.4's
 * RTCPeerConnection as the browser (ICE full agent, DTLS client), kept to loopback.
 */
import { createHmac, randomBytes } from "node:crypto";
import { createSocket, type Socket } from "node:dgram";
import type { AddressInfo } from "node:net";
import { RTCPeerConnection, RTCRtpCodecParameters } from "werift";
import type { DtlsCertificate } from "../../../src/media/webrtc/dtls-certificate.js";
import { crc32 } from "../../../src/media/webrtc/stun.js";
import { WebRtcTransport, type WebRtcTransportOptions } from "../../../src/media/webrtc/webrtc-transport.js";

export interface ParleySide {
  readonly socket: Socket;
  readonly port: number;
  readonly transport: WebRtcTransport;
  readonly rtp: Buffer[];
  readonly states: string[];
}

export async function parleySide(
  certificate: DtlsCertificate,
  extra: Partial<WebRtcTransportOptions> = {},
): Promise<ParleySide> {
  const socket = createSocket("udp4");
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  const rtp: Buffer[] = [];
  const states: string[] = [];
  const transport = new WebRtcTransport({
    socket,
    certificate,
    onRtp: (packet) => rtp.push(packet),
    onRtcp: () => {},
    onState: (state, reason) => states.push(reason === undefined ? state : `${state}: ${reason}`),
    ...extra,
  });
  socket.on("message", (packet, from) => transport.receive(packet, from.address, from.port));
  return { socket, port: (socket.address() as AddressInfo).port, transport, rtp, states };
}

/** werift as a browser offering PCMU only, with ICE on loopback and no STUN server. */
export function browser(): RTCPeerConnection {
  return new RTCPeerConnection({
    iceServers: [],
    iceUseIpv6: false,
    iceAdditionalHostAddresses: ["127.0.0.1"],
    iceFilterCandidatePair: (pair) => pair.localCandidate.host === "127.0.0.1",
    codecs: {
      audio: [
        new RTCRtpCodecParameters({ mimeType: "audio/PCMU", clockRate: 8000, channels: 1, payloadType: 0 }),
      ],
      video: [],
    },
  });
}

/** Resolves when `check` holds, polling the event loop (bounded by the test's own timeout). */
export async function until(check: () => boolean, what: string, ms = 8000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A Binding request as a browser sends it (RFC 8445 7.1): USERNAME, flags, MESSAGE-INTEGRITY, FINGERPRINT. */
export function bindingRequest(username: string, pwd: string, useCandidate = true): Buffer {
  const attributes: Buffer[] = [];
  const attribute = (type: number, value: Buffer): void => {
    const out = Buffer.alloc(4 + ((value.length + 3) & ~3));
    out.writeUInt16BE(type, 0);
    out.writeUInt16BE(value.length, 2);
    value.copy(out, 4);
    attributes.push(out);
  };
  attribute(0x0006, Buffer.from(username));
  attribute(0x0024, Buffer.from([0x6e, 0, 0x1e, 0xff]));
  attribute(0x802a, randomBytes(8));
  if (useCandidate) attribute(0x0025, Buffer.alloc(0));
  const header = Buffer.alloc(20);
  header.writeUInt16BE(0x0001, 0);
  header.writeUInt32BE(0x2112a442, 4);
  randomBytes(12).copy(header, 8);
  let body = Buffer.concat(attributes);
  header.writeUInt16BE(body.length + 24, 2);
  const mac = createHmac("sha1", pwd).update(header).update(body).digest();
  attribute(0x0008, mac);
  body = Buffer.concat(attributes);
  header.writeUInt16BE(body.length + 8, 2);
  const withoutFingerprint = Buffer.concat([header, body]);
  const fingerprint = Buffer.alloc(4);
  fingerprint.writeUInt32BE((crc32(withoutFingerprint) ^ 0x5354554e) >>> 0, 0);
  attribute(0x8028, fingerprint);
  return Buffer.concat([header, ...attributes]);
}

/** A DTLS 1.2 ClientHello record offering what a browser offers (and then nothing more). */
export function clientHello(): Buffer {
  const ext = (type: number, body: Buffer): Buffer => {
    const out = Buffer.alloc(4);
    out.writeUInt16BE(type, 0);
    out.writeUInt16BE(body.length, 2);
    return Buffer.concat([out, body]);
  };
  const extensions = Buffer.concat([
    ext(10, Buffer.from([0, 2, 0, 23])),
    ext(14, Buffer.from([0, 2, 0, 1, 0])),
    ext(23, Buffer.alloc(0)),
    ext(13, Buffer.from([0, 2, 4, 3])),
  ]);
  const extLength = Buffer.alloc(2);
  extLength.writeUInt16BE(extensions.length, 0);
  const body = Buffer.concat([
    Buffer.from([0xfe, 0xfd]),
    randomBytes(32),
    Buffer.from([0, 0]), // session id, cookie
    Buffer.from([0, 2, 0xc0, 0x2b, 1, 0]),
    extLength,
    extensions,
  ]);
  const handshake = Buffer.alloc(12);
  handshake[0] = 1;
  handshake.writeUIntBE(body.length, 1, 3);
  handshake.writeUIntBE(body.length, 9, 3);
  const record = Buffer.alloc(13);
  record[0] = 22;
  record.writeUInt16BE(0xfefd, 1);
  record.writeUInt16BE(handshake.length + body.length, 11);
  return Buffer.concat([record, handshake, body]);
}

/** How many Timeout handles the process holds (a transport that is done must hold none). */
export function timers(): number {
  return process.getActiveResourcesInfo().filter((name) => name === "Timeout").length;
}
