/**
 * How a media endpoint's packets reach the phone: its own port pair (a call answered by Parley),
 * or a side of a relayed call it is attached to (music on hold and park play into a relayed leg
 * without a new offer/answer). Either way the endpoint sees datagrams in and sends packets out.
 */
import { type PortPair, socketPeer } from "../port-pool.js";
import type { RelaySide } from "../relay-session.js";
import { SecureLink } from "../secure-link.js";
import type { DtlsCertificate } from "../webrtc/webrtc-transport.js";
import type { EndpointRemote } from "./endpoint-protocol.js";

export interface RtpTransport {
  /** The local RTP port the SDP names (0 when attached to a relay side). */
  readonly port: number;
  setRemote(remote: EndpointRemote): void;
  send(packet: Buffer): void;
  close(): void;
}

/**
 * An endpoint's own port pair. Symmetric RTP (RFC 4961): the first packet's source is where the
 * phone really is (behind NAT its SDP address is private), so replies go there; the SDP address
 * until then. A new remote (re-INVITE) latches again.
 */
export class SocketTransport implements RtpTransport {
  private address: string | undefined;
  private remotePort = 0;
  private latched = false;
  /**
   * The socket is connected to the latched source (only when bound to one address, as the
   * relay's sides are): each send then skips the address lookup of an unconnected send.
   */
  private connected = false;
  /** A browser calling (issue 20): ICE-lite, DTLS-SRTP and SRTP on the port. */
  private readonly secure: SecureLink;

  constructor(
    private readonly pair: PortPair,
    receive: (packet: Buffer) => void,
    private readonly release: (pair: PortPair) => void,
    private readonly connectOnLatch = false,
    certificate?: DtlsCertificate,
  ) {
    // RTCP from a browser is accepted and not acted on, as a phone's.
    this.secure = new SecureLink(pair.rtp, certificate, { rtp: receive, rtcp: () => {} });
    pair.rtp.on("message", (packet, from) => {
      if (this.secure.active) {
        this.secure.receive(packet, from.address, from.port);
        return;
      }
      if (!this.latched) {
        this.latched = true;
        this.address = from.address;
        this.remotePort = from.port;
        if (this.connectOnLatch) this.connect(from.address, from.port);
      } else if (from.port !== this.remotePort || from.address !== this.address) return;
      receive(packet);
    });
    // RTCP is accepted and not acted on (the endpoint's figures come from its RTP).
    pair.rtcp.on("message", () => {});
    pair.rtp.on("error", () => {});
    pair.rtcp.on("error", () => {});
  }

  get port(): number {
    return this.pair.port;
  }

  private connect(address: string, port: number): void {
    this.pair.rtp.connect(port, address, () => {
      // Still the same latch (no new remote meanwhile); else the socket must be free again.
      if (this.latched && this.address === address && this.remotePort === port) this.connected = true;
      else this.disconnect();
    });
  }

  private disconnect(): void {
    this.connected = false;
    try {
      this.pair.rtp.disconnect();
    } catch {
      // not connected (or closed): nothing to undo
    }
  }

  setRemote(remote: EndpointRemote): void {
    this.secure.update(remote.port === 0 ? undefined : remote.webrtc);
    this.latched = false;
    if (this.connected) this.disconnect();
    // RFC 3264 6: port 0 declines the stream; nothing is sent to it.
    this.address = remote.port === 0 ? undefined : socketPeer(remote.address, this.pair.dualStack);
    this.remotePort = remote.port;
  }

  send(packet: Buffer): void {
    if (this.secure.active) this.secure.sendRtp(packet);
    else if (this.connected) this.pair.rtp.send(packet);
    else if (this.address !== undefined) this.pair.rtp.send(packet, this.remotePort, this.address);
  }

  close(): void {
    this.secure.close();
    this.release(this.pair);
  }
}

/** A relayed call's side, taken over while attached; detached on close. */
export class RelaySideTransport implements RtpTransport {
  readonly port = 0;

  constructor(
    private readonly side: RelaySide,
    receive: (packet: Buffer) => void,
  ) {
    side.tap = receive;
  }

  setRemote(): void {
    // The relay side already knows where its phone is (its SDP, then latching).
  }

  send(packet: Buffer): void {
    try {
      this.side.sendRtp(packet);
    } catch {
      // the relayed call closed its sockets first; the endpoint is being closed too
    }
  }

  close(): void {
    this.side.tap = undefined;
  }
}
