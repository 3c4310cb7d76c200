/**
 * The relay under test in the WebRTC relay bench (bench/webrtc-relay.sh): Parley's MediaEngine
 * (worker threads) in its own process, driven over stdin, every session bridging a browser
 * (side a: ICE-lite, DTLS-SRTP, SRTP, rtcp-mux) and a plain RTP phone (side b, latched).
 *
 * Prints "started <sha-256 fingerprint of the workers' certificate>" once ready.
 * `alloc N <client fingerprint>` releases what it holds, allocates N sessions whose side a expects
 * a browser with that DTLS certificate, and prints one line per session:
 *   "portA portB serverUfrag serverPwd clientUfrag clientPwd"
 * then "ready". `quit` ends it.
 */
import { randomBytes } from "node:crypto";
import { createInterface } from "node:readline";
import { MediaEngine, type MediaSession } from "../../src/media/media-engine.js";

/** RFC 8839 5.4: ice-char is ALPHA / DIGIT / "+" / "/"; base64 without padding is made of those. */
function iceString(bytes: number): string {
  return randomBytes(bytes).toString("base64").replace(/=+$/, "");
}

const [min, max] = (process.env.RTP_PORTS ?? "20000-29999").split("-").map(Number);
const engine = new MediaEngine({
  minPort: min,
  maxPort: max,
  workers: Number(process.env.MEDIA_WORKERS ?? 1),
  bindAddress: "127.0.0.1",
  requestTimeoutMs: 10000,
});
await engine.start();
if (engine.dtlsFingerprint === undefined) {
  process.stderr.write("the media engine made no DTLS certificate\n");
  process.exit(1);
}
let sessions: Array<{ session: MediaSession; line: string }> = [];
process.stdout.write(`started ${engine.dtlsFingerprint}\n`);

async function open(fingerprint: string): Promise<{ session: MediaSession; line: string }> {
  const session = await engine.allocate({ a: true, b: true });
  // RFC 8839 5.4: ufrag at least 4 ice-chars, pwd at least 22 (24 here, as browsers send).
  const local = { ufrag: iceString(6), pwd: iceString(18) };
  const remote = { ufrag: iceString(6), pwd: iceString(18) };
  // The browser's side as the relay learns it from its SDP (BrowserLeg): rtcp-mux, ICE and DTLS
  // credentials. The address is the SDP's placeholder; ICE picks the real one from the checks.
  await session.update("a", {
    address: "127.0.0.1",
    port: 9,
    rtcpMux: true,
    webrtc: { local, remote: { ice: remote, fingerprint: { algorithm: "sha-256", value: fingerprint } } },
  });
  return {
    session,
    line: `${session.portA} ${session.portB} ${local.ufrag} ${local.pwd} ${remote.ufrag} ${remote.pwd}`,
  };
}

for await (const line of createInterface({ input: process.stdin })) {
  const [cmd, arg, fingerprint] = line.trim().split(/\s+/);
  if (cmd === "alloc") {
    await Promise.all(sessions.map((s) => s.session.close()));
    sessions = [];
    const n = Number(arg);
    // In batches: thousands of binds at once would only queue in the worker.
    for (let i = 0; i < n; i += 100) {
      sessions.push(
        ...(await Promise.all(Array.from({ length: Math.min(100, n - i) }, () => open(fingerprint)))),
      );
    }
    process.stdout.write(`${sessions.map((s) => s.line).join("\n")}\nready\n`);
  } else if (cmd === "quit") break;
}
await Promise.all(sessions.map((s) => s.session.close()));
await engine.close();
process.exit(0);
