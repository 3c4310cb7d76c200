/**
 * A browser's media on one of the worker's RTP sockets (issue 20): the WebRtcTransport
 * (webrtc/webrtc-transport.ts: ICE-lite, DTLS-SRTP, SRTP) a relay side or an endpoint's own port
 * puts between its socket and its RTP, kept across re-offers (hold, resume) and made anew only on
 * an ICE restart (RFC 8839 4.4.1.1.1: new ICE credentials) or a new DTLS fingerprint.
 */

import { createPrivateKey, X509Certificate } from "node:crypto";
import type { Socket } from "node:dgram";
import type { WebRtcPeer, WorkerConfig } from "./protocol.js";
import { type DtlsCertificate, WebRtcTransport } from "./webrtc/webrtc-transport.js";

/** The worker's certificate, rebuilt from the PEM the engine handed it (a Buffer does not survive workerData). */
export function workerCertificate(dtls: WorkerConfig["dtls"]): DtlsCertificate | undefined {
  if (dtls === undefined) return undefined;
  return {
    der: Buffer.from(new X509Certificate(dtls.certPem).raw),
    key: createPrivateKey(dtls.keyPem),
    fingerprint: dtls.fingerprint,
  };
}

/** What a secure link hands back: the browser's RTP and RTCP, decrypted. */
export interface SecureReceiver {
  rtp(packet: Buffer): void;
  rtcp(packet: Buffer): void;
}

function samePeer(a: WebRtcPeer, b: WebRtcPeer): boolean {
  return (
    a.local.ufrag === b.local.ufrag &&
    a.local.pwd === b.local.pwd &&
    a.remote.ice.ufrag === b.remote.ice.ufrag &&
    a.remote.ice.pwd === b.remote.ice.pwd &&
    a.remote.fingerprint.value.toUpperCase() === b.remote.fingerprint.value.toUpperCase()
  );
}

export class SecureLink {
  private transport: WebRtcTransport | undefined;
  private peer: WebRtcPeer | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly certificate: DtlsCertificate | undefined,
    private readonly receiver: SecureReceiver,
  ) {}

  /** True while the socket's traffic is a browser's (every datagram goes to receive()). */
  get active(): boolean {
    return this.transport !== undefined;
  }

  /** The side's SDP changed: a browser's peer (re)starts the link, a plain one ends it. */
  update(peer: WebRtcPeer | undefined): void {
    if (peer === undefined) {
      this.close();
      return;
    }
    if (this.certificate === undefined) throw new Error("this media worker has no DTLS certificate");
    if (this.transport !== undefined && this.peer !== undefined && samePeer(this.peer, peer)) return;
    this.close();
    this.peer = peer;
    this.transport = new WebRtcTransport({
      socket: this.socket,
      certificate: this.certificate,
      local: peer.local,
      onRtp: (packet) => this.receiver.rtp(packet),
      onRtcp: (packet) => this.receiver.rtcp(packet),
    });
    this.transport.setRemote(peer.remote);
  }

  receive(packet: Buffer, address: string, port: number): void {
    this.transport?.receive(packet, address, port);
  }

  sendRtp(packet: Buffer): void {
    this.transport?.sendRtp(packet);
  }

  sendRtcp(packet: Buffer): void {
    this.transport?.sendRtcp(packet);
  }

  /** Where the browser's media comes from, once ICE chose it (for the figures). */
  get state(): string | undefined {
    return this.transport?.state;
  }

  close(): void {
    this.transport?.close();
    this.transport = undefined;
    this.peer = undefined;
  }
}
