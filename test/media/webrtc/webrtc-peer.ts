/**
 * Test helpers: a WebRtcTransport on a real dgram socket on 127.0.0.1, and werift 0.24.4's
 * RTCPeerConnection as the browser (ICE full agent, DTLS client), kept to loopback.
 */
import { createSocket, type Socket } from "node:dgram";
import type { AddressInfo } from "node:net";
import { RTCPeerConnection, RTCRtpCodecParameters } from "werift";
import type { DtlsCertificate } from "../../../src/media/webrtc/dtls-certificate.js";
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
