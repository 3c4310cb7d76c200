/**
 * WebRTC SDP (JSEP, RFC 8829) to and from the plain RTP SDP of a phone: pure string functions for
 * the signalling thread. Lines not named here are kept as they are.
 */
import type { WebRtcLocal, WebRtcRemote } from "./webrtc-transport.js";

/** Attributes that only mean something to a WebRTC peer (RFC 8839, 8842, 8843, 8830, 5576...). */
const WEBRTC_ONLY = new Set([
  "ice-ufrag",
  "ice-pwd",
  "ice-options",
  "ice-lite",
  "candidate",
  "end-of-candidates",
  "fingerprint",
  "setup",
  "mid",
  "group",
  "msid",
  "msid-semantic",
  "ssrc",
  "ssrc-group",
  "rtcp-fb",
  "extmap",
  "rtcp-rsize",
]);

interface Section {
  /** The m= line, or undefined for the session part. */
  readonly m: string | undefined;
  readonly lines: string[];
}

function split(body: string): { eol: string; sections: Section[] } {
  const eol = body.includes("\r\n") ? "\r\n" : "\n";
  const sections: Section[] = [{ m: undefined, lines: [] }];
  for (const line of body.split(/\r?\n/)) {
    if (line === "") continue;
    if (line.startsWith("m=")) sections.push({ m: line, lines: [] });
    else sections[sections.length - 1].lines.push(line);
  }
  return { eol, sections };
}

function join(eol: string, sections: Section[]): string {
  const lines: string[] = [];
  for (const section of sections) {
    if (section.m !== undefined) lines.push(section.m);
    lines.push(...section.lines);
  }
  return lines.join(eol) + eol;
}

/** "a=name:value" -> name. */
function attribute(line: string): string | undefined {
  if (!line.startsWith("a=")) return undefined;
  const colon = line.indexOf(":");
  return colon < 0 ? line.slice(2) : line.slice(2, colon);
}

function value(lines: string[], name: string): string | undefined {
  const prefix = `a=${name}:`;
  return lines
    .find((line) => line.startsWith(prefix))
    ?.slice(prefix.length)
    .trim();
}

function firstAudio(sections: Section[]): Section | undefined {
  return sections.find((section) => section.m?.startsWith("m=audio "));
}

/** The browser's ICE credentials and fingerprint, or undefined when the first audio m-line is not WebRTC. */
export function readWebRtcAudio(
  body: Buffer | string,
): (WebRtcRemote & { mid?: string; setup?: string }) | undefined {
  const { sections } = split(typeof body === "string" ? body : body.toString("utf8"));
  const audio = firstAudio(sections);
  if (audio?.m === undefined) return undefined;
  const profile = audio.m.split(" ")[2] ?? "";
  if (!profile.includes("UDP/TLS") || !/SAVPF?$/.test(profile)) return undefined;
  const session = sections[0].lines;
  // RFC 8839 5.4 / RFC 8122 5: media-level values override session-level ones.
  const pick = (name: string): string | undefined => value(audio.lines, name) ?? value(session, name);
  const fingerprint = pick("fingerprint");
  const ufrag = pick("ice-ufrag");
  const pwd = pick("ice-pwd");
  if (fingerprint === undefined || ufrag === undefined || pwd === undefined) return undefined;
  const space = fingerprint.indexOf(" ");
  if (space < 0) return undefined;
  const mid = value(audio.lines, "mid");
  const setup = pick("setup");
  return {
    ice: { ufrag, pwd },
    fingerprint: {
      algorithm: fingerprint.slice(0, space).toLowerCase(),
      value: fingerprint.slice(space + 1).trim(),
    },
    ...(mid === undefined ? {} : { mid }),
    ...(setup === undefined ? {} : { setup }),
  };
}

/**
 * The audio formats both sides speak without transcoding: PCMU (0), PCMA (8) and
 * telephone-event/8000 (RFC 4733), with the rtpmap/fmtp lines of those kept.
 */
function keepG711(section: Section, profile: string, port?: number): Section {
  const parts = (section.m as string).split(" ");
  const kept = new Set<string>();
  for (const format of parts.slice(3)) {
    const map =
      value(section.lines, `rtpmap:${format}`) ??
      section.lines.find((l) => l.startsWith(`a=rtpmap:${format} `));
    const codec = map?.slice(map.indexOf(" ") + 1).toLowerCase();
    if (format === "0" || format === "8" || codec === "telephone-event/8000") kept.add(format);
  }
  const formats = kept.size > 0 ? [...kept] : ["0"];
  const m = [parts[0], String(port ?? parts[1]), profile, ...formats].join(" ");
  const lines = section.lines.filter((line) => {
    const name = attribute(line);
    if (name === "rtpmap" || name === "fmtp")
      return kept.has(line.slice(line.indexOf(":") + 1).split(" ")[0]);
    return true;
  });
  return { m, lines };
}

/** Port 0: the stream is rejected (RFC 3264 6), its lines otherwise kept. */
function rejected(section: Section, lines: string[]): Section {
  const parts = (section.m as string).split(" ");
  parts[1] = "0";
  return { m: parts.join(" "), lines };
}

/** The SDP a plain RTP phone should see (RTP/AVP, G.711 and telephone-event/8000 only). */
export function webRtcToPlain(body: string): string {
  const { eol, sections } = split(body);
  const audio = firstAudio(sections);
  const out = sections.map((section) => {
    const lines = section.lines.filter((line) => !WEBRTC_ONLY.has(attribute(line) ?? ""));
    if (section.m === undefined) return { m: undefined, lines };
    if (section === audio) return keepG711({ m: section.m, lines }, "RTP/AVP");
    return rejected(section, lines);
  });
  return join(eol, out);
}

/** The SDP a browser should see (ice-lite, BUNDLE, UDP/TLS/RTP/SAVPF, one host candidate). */
export function plainToWebRtc(
  body: string,
  local: WebRtcLocal,
  candidate: { address: string; port: number },
  options: { mid?: string; setup: "passive" | "actpass" },
): string {
  const { eol, sections } = split(body);
  const audio = firstAudio(sections);
  const mid = options.mid ?? "0";
  const family = candidate.address.includes(":") ? "IP6" : "IP4";
  const session = sections[0].lines
    .filter((line) => !WEBRTC_ONLY.has(attribute(line) ?? ""))
    .map((line) => (line.startsWith("c=") ? `c=IN ${family} ${candidate.address}` : line));
  // RFC 8839 5.3: a=ice-lite at session level; RFC 8843 7: the BUNDLE group; RFC 8830: msid.
  const at = session.findIndex((line) => line.startsWith("t="));
  session.splice(
    at < 0 ? session.length : at + 1,
    0,
    "a=ice-lite",
    `a=group:BUNDLE ${mid}`,
    "a=msid-semantic: WMS *",
  );
  const out: Section[] = [{ m: undefined, lines: session }];
  for (const section of sections.slice(1)) {
    const lines = section.lines.filter(
      (line) => !WEBRTC_ONLY.has(attribute(line) ?? "") && attribute(line) !== "rtcp",
    );
    if (section !== audio) {
      // JSEP 5.3.1: a rejected m-line keeps the mid of the offer's.
      const own = value(section.lines, "mid");
      out.push(rejected(section, own === undefined ? lines : [...lines, `a=mid:${own}`]));
      continue;
    }
    const media = keepG711({ m: section.m, lines }, "UDP/TLS/RTP/SAVPF", candidate.port);
    // The browser reaches us at the candidate: that address is the connection address too.
    const kept = [
      `c=IN ${family} ${candidate.address}`,
      ...media.lines.filter((line) => attribute(line) !== "rtcp-mux" && !line.startsWith("c=")),
    ];
    kept.push(
      `a=mid:${mid}`,
      `a=ice-ufrag:${local.ice.ufrag}`,
      `a=ice-pwd:${local.ice.pwd}`,
      `a=fingerprint:${local.fingerprint}`,
      `a=setup:${options.setup}`,
      "a=rtcp-mux",
      // RFC 8839 5.1: one host candidate, priority (2^24)*126 + (2^8)*65535 + 255 for component 1.
      `a=candidate:1 1 udp 2130706431 ${candidate.address} ${candidate.port} typ host`,
      "a=end-of-candidates",
    );
    out.push({ m: media.m, lines: kept });
  }
  return join(eol, out);
}
