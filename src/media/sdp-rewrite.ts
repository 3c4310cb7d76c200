/**
 * The SDP as the media relay needs it (RFC 4566, RFC 3264): where a side wants its audio (the
 * connection address and port of its first audio stream, rtcp-mux, direction), and the same body
 * rewritten so the other side sends to the relay instead. Line by line: every other line is kept
 * byte for byte, codecs included (the relay does not care about them).
 */
import type { MediaPeer } from "./protocol.js";

export type SdpDirection = "sendrecv" | "sendonly" | "recvonly" | "inactive";

export interface SdpAudio extends MediaPeer {
  /** RFC 3264 6.1 / 8.4: the stream's direction (hold is sendonly or inactive). */
  readonly direction: SdpDirection;
}

const DIRECTIONS = new Set<string>(["sendrecv", "sendonly", "recvonly", "inactive"]);
/** ICE (RFC 8839) would lead the phones around the relay: those attributes are removed. */
const DROPPED = ["a=candidate:", "a=remote-candidates", "a=ice-", "a=end-of-candidates", "a=rtcp:"];

function lines(body: Buffer): string[] {
  return body.toString("utf8").split(/\r?\n/);
}

/** RFC 4566 5.7: `c=IN IP4 <address>[/ttl]`. */
function connectionAddress(line: string): string | undefined {
  const parts = line.slice(2).trim().split(/\s+/);
  if (parts.length < 3 || parts[0] !== "IN") return undefined;
  return parts[2].split("/")[0];
}

/** The first audio stream of an SDP body, or undefined when it has none (or is not SDP). */
export function readSdpAudio(body: Buffer): SdpAudio | undefined {
  let sessionAddress: string | undefined;
  let sessionDirection: SdpDirection = "sendrecv";
  let inAudio = false;
  let found: { port: number; address?: string; rtcpMux: boolean; direction?: SdpDirection } | undefined;
  for (const line of lines(body)) {
    if (line.startsWith("m=")) {
      if (found !== undefined) break; // the first audio stream is complete
      const [media, port] = line.slice(2).split(/\s+/);
      inAudio = media === "audio";
      if (inAudio) {
        const n = Number.parseInt(port ?? "", 10);
        if (!Number.isInteger(n) || n < 0 || n > 65535) return undefined;
        found = { port: n, rtcpMux: false };
      }
      continue;
    }
    const attribute = line.startsWith("a=") ? line.slice(2).trim() : undefined;
    if (found === undefined) {
      if (line.startsWith("c=")) sessionAddress = connectionAddress(line);
      else if (attribute !== undefined && DIRECTIONS.has(attribute))
        sessionDirection = attribute as SdpDirection;
      continue;
    }
    if (!inAudio) continue;
    if (line.startsWith("c=")) found.address = connectionAddress(line);
    else if (attribute === "rtcp-mux") found.rtcpMux = true;
    else if (attribute !== undefined && DIRECTIONS.has(attribute))
      found.direction = attribute as SdpDirection;
  }
  const address = found?.address ?? sessionAddress;
  if (found === undefined || address === undefined) return undefined;
  let direction = found.direction ?? sessionDirection;
  // RFC 3264 8.4 (and RFC 2543 hold): a connection address of 0.0.0.0 means no media is sent.
  if (address === "0.0.0.0" && direction === "sendrecv") direction = "inactive";
  return { address, port: found.port, rtcpMux: found.rtcpMux, direction };
}

/**
 * The body with the first audio stream aimed at the relay (`address`, `port`): every c= line
 * becomes the relay's address, the audio m= line its port; other streams are refused with port 0
 * (NOTE: only one audio stream is relayed); ICE attributes and a=rtcp are removed (RTCP is on
 * port + 1, RFC 3550 11). A body without an audio stream comes back unchanged.
 */
export function rewriteSdp(body: Buffer, relay: { address: string; port: number }): Buffer {
  if (readSdpAudio(body) === undefined) return body;
  const family = relay.address.includes(":") ? "IP6" : "IP4";
  const eol = body.includes("\r\n") ? "\r\n" : "\n";
  const out: string[] = [];
  let audioSeen = false;
  let relayed = false;
  for (const line of lines(body)) {
    if (line.startsWith("m=")) {
      const parts = line.split(" ");
      relayed = !audioSeen && parts[0] === "m=audio";
      if (relayed) audioSeen = true;
      // A stream the relay does not carry: RFC 3264 6 port 0 declines it.
      const port = relayed ? relay.port : 0;
      if (parts.length > 1) parts[1] = String(port);
      out.push(parts.join(" "));
      continue;
    }
    if (line.startsWith("c=")) {
      const address = connectionAddress(line);
      // Keep a hold's 0.0.0.0 (RFC 2543 hold) as it is; anything else becomes the relay.
      out.push(address === "0.0.0.0" ? line : `c=IN ${family} ${relay.address}`);
      continue;
    }
    if (DROPPED.some((p) => line.startsWith(p))) continue;
    out.push(line);
  }
  return Buffer.from(out.join(eol), "utf8");
}
