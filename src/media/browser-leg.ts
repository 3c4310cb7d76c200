/**
 * One leg's side of the WebRTC SDP translation (issue 20), for the signalling thread: a browser
 * speaks JSEP SDP (RFC 8829: ICE, DTLS-SRTP, BUNDLE, rtcp-mux, UDP/TLS/RTP/SAVPF), a phone and
 * Parley's own media code speak plain RTP/AVP. The leg remembers what the browser said (its ICE
 * credentials, DTLS fingerprint, mid) and Parley's ICE-lite credentials for it, so every body
 * crossing toward the browser is written as WebRTC and every body from it is read as plain SDP;
 * the media worker gets both sets of credentials to terminate ICE and DTLS-SRTP (secure-link.ts).
 */
import { randomBytes } from "node:crypto";
import type { WebRtcPeer } from "./protocol.js";
import { plainToWebRtc, readWebRtcAudio, webRtcToPlain } from "./webrtc/webrtc-sdp.js";
import type { IceCredentials, WebRtcRemote } from "./webrtc/webrtc-transport.js";

/** RFC 8839 5.4: ice-char is ALPHA / DIGIT / "+" / "/"; ufrag at least 4, pwd at least 22 characters. */
function iceString(length: number): string {
  return randomBytes(length)
    .toString("base64")
    .replace(/[^A-Za-z0-9+/]/g, "")
    .padEnd(length, "x")
    .slice(0, length);
}

export function newIceCredentials(): IceCredentials {
  return { ufrag: iceString(8), pwd: iceString(24) };
}

export class BrowserLeg {
  /** Parley's ICE-lite credentials toward this browser (kept: a new pair would be an ICE restart). */
  readonly local: IceCredentials = newIceCredentials();
  private remote: WebRtcRemote | undefined;
  private mid: string | undefined;

  /** `fingerprint`: the media workers' "sha-256 AB:..." (MediaEngine.dtlsFingerprint). */
  constructor(private readonly fingerprint: string) {}

  /** The browser has sent its SDP (an offer or an answer). */
  get heard(): boolean {
    return this.remote !== undefined;
  }

  /** What the media worker needs for this side, once the browser's SDP is known. */
  get peer(): WebRtcPeer | undefined {
    return this.remote === undefined ? undefined : { local: this.local, remote: this.remote };
  }

  /**
   * A body from the browser: learns its ICE credentials, fingerprint and mid, and returns the
   * plain SDP the other side (or Parley's endpoint) should see. Undefined when it is not WebRTC.
   */
  read(body: Buffer): Buffer | undefined {
    const web = readWebRtcAudio(body);
    if (web === undefined) return undefined;
    this.remote = { ice: web.ice, fingerprint: web.fingerprint };
    if (web.mid !== undefined) this.mid = web.mid;
    const text = body.toString("utf8");
    return Buffer.from(withoutWildcard(webRtcToPlain(text), text));
  }

  /**
   * A plain body already aimed at Parley's port (`candidate`), written for the browser. RFC 5763
   * 5: Parley is always the DTLS server: `actpass` while it offers first (the browser then takes
   * `active`), `passive` once the browser has spoken.
   */
  write(body: Buffer, candidate: { readonly address: string; readonly port: number }): Buffer {
    const local = { ice: this.local, fingerprint: this.fingerprint };
    const setup: "passive" | "actpass" = this.heard ? "passive" : "actpass";
    const options = this.mid === undefined ? { setup } : { setup, mid: this.mid };
    return Buffer.from(plainToWebRtc(body.toString("utf8"), local, candidate, options));
  }
}

/**
 * JSEP (RFC 8829 5.2.1) puts `c=IN IP4 0.0.0.0` and port 9 in a browser's SDP: ICE says where its
 * media is. Plain SDP reads that address as RFC 2543 hold (Parley's endpoint would answer
 * `inactive` and never speak), so the plain form names the browser's first IPv4 host candidate,
 * or loopback when its candidates are mDNS names: a placeholder only, since a browser's media is
 * sent where ICE found it (secure-link.ts), never to the SDP's address.
 */
function withoutWildcard(plain: string, browserSdp: string): string {
  if (!/^c=IN IP4 0\.0\.0\.0\b/m.test(plain)) return plain;
  const candidate = /^a=candidate:\S+ 1 udp \d+ (\d+\.\d+\.\d+\.\d+) \d+ typ host/im.exec(browserSdp);
  const address = candidate?.[1] ?? "127.0.0.1";
  return plain.replace(/^c=IN IP4 0\.0\.0\.0\b/gm, `c=IN IP4 ${address}`);
}

/** Whether an SDP body is a browser's (JSEP: DTLS-SRTP profile with a fingerprint). */
export function isWebRtcSdp(body: Buffer): boolean {
  return readWebRtcAudio(body) !== undefined;
}
