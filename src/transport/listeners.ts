/**
 * The sockets a SipTransportLayer listens on, and which of them reaches a given peer (same
 * address family, or a dual-stack wildcard; loopback for loopback).
 */
import { createSocket, type Socket as UdpSocket } from "node:dgram";
import type { Server as HttpServer } from "node:http";
import type { Server } from "node:net";
import { networkInterfaces } from "node:os";
import { literalLookup } from "../util/literal-lookup.js";
import { ipFamily, isLoopback, isWildcard } from "./addresses.js";
import type { SocketAddress } from "./types.js";

export type StreamProtocol = "TCP" | "TLS";
/** SIP over WebSocket (RFC 7118): plain, or over TLS. */
export type WebSocketProtocol = "WS" | "WSS";
/** Every connection-oriented transport: a flow (RFC 5626) carries its messages. */
export type ConnectionProtocol = StreamProtocol | WebSocketProtocol;

export interface UdpListener {
  readonly protocol: "UDP";
  readonly address: string;
  port: number;
  readonly family: 4 | 6;
  /** An IPv6 wildcard that also carries IPv4 (IPv4-mapped addresses). */
  readonly dualStack: boolean;
  readonly socket: UdpSocket;
  /** The listener's own address, shared by every message received on it. */
  local: SocketAddress;
}

export interface StreamListener {
  readonly protocol: StreamProtocol;
  readonly address: string;
  port: number;
  readonly family: 4 | 6;
  readonly dualStack: boolean;
  readonly server: Server;
}

/** An HTTP (WS) or HTTPS (WSS) server whose upgrades to the `sip` subprotocol become flows. */
export interface WebSocketListener {
  readonly protocol: WebSocketProtocol;
  readonly address: string;
  port: number;
  readonly family: 4 | 6;
  readonly dualStack: boolean;
  /** node:https Server extends node:http Server. */
  readonly server: HttpServer;
}

/** A listener that accepts connections (TCP, TLS, WS, WSS). */
export type ConnectionListener = StreamListener | WebSocketListener;

export type Listener = UdpListener | ConnectionListener;

/** Requested UDP socket buffer size (receive and send). */
const UDP_BUFFER_BYTES = 8 * 1024 * 1024;

export { literalLookup } from "../util/literal-lookup.js";

/** An unbound UDP socket for a listener of this family. */
export function createUdpSocket(family: 4 | 6, dualStack: boolean): UdpSocket {
  return createSocket({
    type: family === 6 ? "udp6" : "udp4",
    ipv6Only: family === 6 && !dualStack,
    // Bursts of thousands of datagrams (a PBX after a power cut, a load test) overflow the
    // kernel's default ~200 KB receive buffer and turn into retransmission storms. The kernel
    // caps the request at net.core.rmem_max / wmem_max.
    recvBufferSize: UDP_BUFFER_BYTES,
    sendBufferSize: UDP_BUFFER_BYTES,
    // Every destination is an IP literal by now: resolve it in the same tick, not via dns.lookup's nextTick.
    lookup: literalLookup,
  });
}

/** A listener of `protocol` that can reach `remote` (same family, or a dual-stack wildcard). */
export function pickListener<L extends Listener>(candidates: L[], remote: string): L | undefined {
  const family = ipFamily(remote);
  const loop = isLoopback(remote);
  let best: L | undefined;
  let bestScore = -1;
  for (const l of candidates) {
    let score: number;
    if (l.family === family) score = 2;
    else if (family === 4 && l.dualStack) score = 1;
    else if (family === 0) score = 1;
    else continue;
    // A socket bound to loopback cannot reach the network, and the reverse is a poor match.
    if (!isWildcard(l.address) && isLoopback(l.address) !== loop) score -= 1;
    if (score > bestScore) {
      best = l;
      bestScore = score;
    }
  }
  return best;
}

const localGuess = new Map<4 | 6, string>();

/**
 * A local address of the family for a Via sent-by on a wildcard listener.
 * NOTE: without IP_PKTINFO Node cannot tell which local address a wildcard socket uses; the first
 * non-internal interface address is a guess. Set advertisedAddress on multi-homed hosts.
 */
export function guessLocalAddress(family: 4 | 6): string {
  let guess = localGuess.get(family);
  if (!guess) {
    guess = family === 6 ? "::1" : "127.0.0.1";
    for (const infos of Object.values(networkInterfaces())) {
      const hit = infos?.find(
        (i) => !i.internal && i.family === (family === 6 ? "IPv6" : "IPv4") && !i.address.startsWith("fe80"),
      );
      if (hit) {
        guess = hit.address;
        break;
      }
    }
    localGuess.set(family, guess);
  }
  return guess;
}
