/**
 * Media server capacity (issue 14): how many prompt-playback streams the media workers keep
 * paced at once. Each step opens N media endpoints, plays the shipped music-on-hold track on all
 * of them in a loop (the worst case of the prompt path: one cached clip, a 20 ms RTP packet per
 * stream per tick) to a separate C process (bench/playback/rtp-sink.c) on 127.0.0.1, which first
 * sends each endpoint one packet (a phone's first audio: the endpoint latches onto it) and measures
 * every packet's pacing jitter (|inter-arrival - 20 ms|), loss and the mean interval (drift).
 * A step is clean when p99 jitter < 5 ms and loss < 0.1 %.
 * Usage: node --import tsx bench/playback.bench.ts
 *   PLAYBACK_LADDER="300 600 1000 1500 2000" PLAYBACK_SECS=8 MEDIA_WORKERS=2
 * Prints "BENCH media.playback ..." per step, then the best clean count (goal 2000, floor 300).
 */
import { join } from "node:path";
import type { EndpointHandle } from "../src/media/endpoint-handle.js";
import { MediaEngine } from "../src/media/media-engine.js";
import { SHIPPED_PROMPTS_DIR } from "../src/media/prompts/prompt-library.js";
import { freePort } from "../test/helpers/ports.js";
import { compile, figure, runRtpTool } from "./lib/rtp-tool.js";

const HOST = "127.0.0.1";
const ladder = (process.env.PLAYBACK_LADDER ?? "300 600 1000 1500 2000").split(/\s+/).map(Number);
const seconds = Number(process.env.PLAYBACK_SECS ?? 8);
const workers = Number(process.env.MEDIA_WORKERS ?? 2);
const FLOOR = 300;
const GOAL = 2000;

const sink = compile(new URL("./playback/rtp-sink.c", import.meta.url).pathname, "rtp-sink");
const music = join(SHIPPED_PROMPTS_DIR, "moh", "default.wav");

const engine = new MediaEngine({
  minPort: 40000,
  maxPort: 49999,
  workers,
  bindAddress: HOST,
  requestTimeoutMs: 10_000,
});
await engine.start();
let best = 0;
for (const n of ladder) {
  const port = await freePort();
  const run = runRtpTool(sink, [String(port), String(seconds)], "streams=");
  await run.listening;
  const endpoints: EndpointHandle[] = [];
  for (let i = 0; i < n; i++) endpoints.push(await engine.openEndpoint());
  await Promise.all(
    endpoints.map((ep) => ep.setRemote({ address: HOST, port, rtcpMux: false, codec: "PCMU", send: true })),
  );
  // Each endpoint hears one packet from the sink first, as from a phone, and latches onto it.
  run.start(endpoints.map((ep) => ep.port));
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (const ep of endpoints) ep.play([{ file: music }], { loop: true });
  const line = await run.done;
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  await Promise.all(endpoints.map((ep) => ep.close()));
  const p99 = figure(line, "p99_ms");
  const expected = figure(line, "expected");
  const packets = figure(line, "packets");
  const lossPct = expected > 0 ? Math.max(0, (100 * (expected - packets)) / expected) : 100;
  const streams = figure(line, "streams");
  const clean = streams === n && p99 < 5 && lossPct < 0.1;
  const cpuPct = ((cpu.user + cpu.system) / 1e6 / elapsed) * 100;
  console.log(
    `BENCH media.playback streams=${n} ${line} loss_pct=${lossPct.toFixed(3)} parley_cpu=${cpuPct.toFixed(0)}% workers=${workers} ${clean ? "clean" : "NOT clean"}`,
  );
  if (!clean) break;
  best = n;
}
await engine.close();
console.log(
  `BENCH media.playback.max_streams=${best} (p99 pacing jitter < 5 ms, loss < 0.1%; goal ${GOAL}, floor ${FLOOR})`,
);
process.exit(best >= FLOOR ? 0 : 1);
