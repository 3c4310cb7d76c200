/**
 * Offer/answer (RFC 3264) for Parley's own media endpoints: what Parley answers to a phone's
 * offer, what it offers when an INVITE carries none, and what it learns from an answer. Parley
 * speaks G.711 only (PCMU and PCMA, 8 kHz, 20 ms; RFC 3551) plus RFC 4733 telephone-event with
 * the payload type the offer chose. An offer with no G.711 is refused with 488 and a Warning that
 * names what Parley speaks (RFC 3261 20.43, warn-code 305).
 */
import { parse, parsePayloads } from "sdp-transform";
import type { G711Codec } from "./dsp/g711.js";
import type { EndpointRemote } from "./endpoint/endpoint-protocol.js";

/** The telephone-event payload type Parley offers (any dynamic type would do; 101 is the custom). */
export const OFFERED_TELEPHONE_EVENT = 101;
const WARNING =
  '305 parley "Incompatible media format: Parley speaks PCMU (0), PCMA (8) and telephone-event"';

type Direction = "sendrecv" | "sendonly" | "recvonly" | "inactive";

/** RFC 3264 6.1: the answer's direction mirrors the offer's. */
const ANSWER_DIRECTION: Readonly<Record<Direction, Direction>> = {
  sendrecv: "sendrecv",
  sendonly: "recvonly",
  recvonly: "sendonly",
  inactive: "inactive",
};

export interface LocalMedia {
  readonly address: string;
  readonly port: number;
  /** o= session id, fixed for the endpoint's life (RFC 4566 5.2). */
  readonly sessionId: number;
  /** o= version, incremented whenever the SDP Parley sends changes (RFC 3264 8). */
  readonly version: number;
}

export type OfferAnswer =
  | { readonly ok: true; readonly remote: EndpointRemote; readonly sdp: string }
  | { readonly ok: false; readonly status: 488; readonly reason: string; readonly warning: string };

interface AudioChoice {
  readonly index: number;
  readonly remote: EndpointRemote;
  readonly direction: Direction;
  readonly rtcpMux: boolean;
}

function refusal(): OfferAnswer {
  return { ok: false, status: 488, reason: "Not Acceptable Here", warning: WARNING };
}

type Parsed = ReturnType<typeof parse>;

function telephoneEventOf(media: Parsed["media"][number]): number | undefined {
  const map = media.rtp?.find((r) => r.codec.toLowerCase() === "telephone-event" && r.rate === 8000);
  return map?.payload;
}

/** The first audio stream with a G.711 format, in the offerer's order of preference. */
function chooseAudio(sdp: Parsed): AudioChoice | undefined {
  for (let index = 0; index < sdp.media.length; index++) {
    const m = sdp.media[index];
    if (m.type !== "audio" || !/^RTP\/AVPF?$/.test(m.protocol)) continue;
    const formats = parsePayloads(String(m.payloads ?? ""));
    const pt = formats.find((f) => f === 0 || f === 8);
    if (pt === undefined) continue;
    const codec: G711Codec = pt === 0 ? "PCMU" : "PCMA";
    const address = m.connection?.ip ?? sdp.connection?.ip;
    if (address === undefined) continue;
    let direction = (m.direction ?? sdp.direction ?? "sendrecv") as Direction;
    // RFC 3264 8.4 (RFC 2543 hold): a connection address of 0.0.0.0 sends nothing.
    if (address === "0.0.0.0" && direction === "sendrecv") direction = "inactive";
    const telephoneEvent = telephoneEventOf(m);
    // Parley may send when the phone receives: its sendrecv or recvonly (its own point of view).
    const theyReceive = direction === "sendrecv" || direction === "recvonly";
    return {
      index,
      direction,
      rtcpMux: m.rtcpMux !== undefined,
      remote: {
        address,
        port: m.port,
        rtcpMux: m.rtcpMux !== undefined,
        codec,
        ...(telephoneEvent === undefined ? {} : { telephoneEvent }),
        send: theyReceive && m.port !== 0,
      },
    };
  }
  return undefined;
}

function header(local: LocalMedia): string[] {
  const family = local.address.includes(":") ? "IP6" : "IP4";
  return [
    "v=0",
    `o=parley ${local.sessionId} ${local.version} IN ${family} ${local.address}`,
    "s=parley",
    `c=IN ${family} ${local.address}`,
    "t=0 0",
  ];
}

function audioLines(
  local: LocalMedia,
  formats: number[],
  te: number | undefined,
  rtcpMux: boolean,
  direction: Direction,
): string[] {
  const out = [`m=audio ${local.port} RTP/AVP ${[...formats, ...(te === undefined ? [] : [te])].join(" ")}`];
  for (const f of formats) out.push(`a=rtpmap:${f} ${f === 0 ? "PCMU" : "PCMA"}/8000`);
  if (te !== undefined) out.push(`a=rtpmap:${te} telephone-event/8000`, `a=fmtp:${te} 0-16`);
  out.push("a=ptime:20");
  if (rtcpMux) out.push("a=rtcp-mux");
  out.push(`a=${direction}`);
  return out;
}

/** Parley's answer to an offer (RFC 3264 6), or the 488 that refuses it. */
export function answerOffer(offer: Buffer | string, local: LocalMedia): OfferAnswer {
  let sdp: Parsed;
  try {
    sdp = parse(offer.toString());
  } catch {
    return refusal();
  }
  if (!Array.isArray(sdp.media)) return refusal();
  const choice = chooseAudio(sdp);
  if (choice === undefined) return refusal();
  const lines = header(local);
  sdp.media.forEach((m, i) => {
    if (i === choice.index) {
      const te = choice.remote.telephoneEvent;
      lines.push(
        ...audioLines(
          local,
          [choice.remote.codec === "PCMU" ? 0 : 8],
          te,
          choice.rtcpMux,
          ANSWER_DIRECTION[choice.direction],
        ),
      );
    } else {
      // RFC 3264 6: every other stream is declined with port 0 and one of its formats.
      const first = String(m.payloads ?? "0").split(" ")[0] || "0";
      lines.push(`m=${m.type} 0 ${m.protocol} ${first}`);
    }
  });
  return { ok: true, remote: choice.remote, sdp: `${lines.join("\r\n")}\r\n` };
}

/** Parley's offer for an INVITE that had none (RFC 3261 13.2.2.4: the answer comes in the ACK). */
export function makeOffer(local: LocalMedia, direction: Direction = "sendrecv"): string {
  const lines = [...header(local), ...audioLines(local, [0, 8], OFFERED_TELEPHONE_EVENT, false, direction)];
  return `${lines.join("\r\n")}\r\n`;
}

/** What the phone's answer to Parley's offer agreed, or undefined when it agreed nothing usable. */
export function readAnswer(answer: Buffer | string): EndpointRemote | undefined {
  try {
    return chooseAudio(parse(answer.toString()))?.remote;
  } catch {
    return undefined;
  }
}
