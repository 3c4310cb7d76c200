/**
 * Media server capacity, end to end (issue 14: "conference participants mixed in real time, goal
 * 500 in rooms of 5; below 100 not done"). Each step opens N media endpoints in rooms of 5 (each
 * room's endpoints on one worker: openEndpoint({ room })), joins each to its room, and lets a
 * separate C process (bench/conference/conference-load.c) on 127.0.0.1 be the N phones: all talk
 * at once (the worst case: five mix-minus mixes per room per tick), each a steady tone of its own
 * at 50 packets/s, and each measures what Parley sends back (the mix of the other four): loss,
 * pacing jitter |inter-arrival - 20 ms|, and that it is audio, with its own tone taken out.
 * A step is clean when p99 jitter < 5 ms, loss < 0.1 % and every participant heard audio.
 * bench/conference-mixer.bench.ts measures the mixing alone; this adds sockets, RTP, the jitter
 * buffers and the workers' clock.
 * Usage: node --import tsx bench/conference.bench.ts
 *   CONF_LADDER="100 250 500 750 1000" CONF_SECS=8 MEDIA_WORKERS=2
 * Prints "BENCH media.conference ..." per step, then the best clean count (goal 500, floor 100).
 * The phones run on the same cores as Parley (load_cpu, about 0.25 core at 1,000) and so does
 * whatever else the machine is doing (others_cpu): a step with others_cpu well above 0 is noise.
 * NOTE: the phones do not offer RFC 4733 telephone-event, so every endpoint also runs its in-band
 * DTMF detector on what it hears (the worst case, and today's behaviour until a 4733 packet).
 */
import { readFileSync } from "node:fs";
import type { EndpointChannel, EndpointHandle, MediaOperation } from "../src/media/endpoint-handle.js";
import { MediaEngine } from "../src/media/media-engine.js";
import { freePort } from "../test/helpers/ports.js";
import { compile, figure, runRtpTool } from "./lib/rtp-tool.js";

const HOST = "127.0.0.1";
const ROOM_SIZE = 5;
const ladder = (process.env.CONF_LADDER ?? "100 250 500 750 1000").split(/\s+/).filter(Boolean).map(Number);
const seconds = Number(process.env.CONF_SECS ?? 8);
const workers = Number(process.env.MEDIA_WORKERS ?? 2);
const FLOOR = 100;
const GOAL = 500;

const load = compile(new URL("./conference/conference-load.c", import.meta.url).pathname, "conference-load", [
  "-lm",
]);

/**
 * CPU-seconds the whole machine has spent busy (Linux /proc/stat, USER_HZ = 100): with Parley's
 * and the phones' own figures it shows how much else ran during a step (the machine is shared),
 * which is what makes a step's tail jitter untrustworthy.
 */
function machineBusySeconds(): number {
  try {
    // cpu  user nice system idle iowait irq softirq steal
    const [user, nice, system, , , irq, softirq, steal] = readFileSync("/proc/stat", "utf8")
      .split("\n")[0]
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    return (user + nice + system + irq + softirq + steal) / 100;
  } catch {
    return Number.NaN;
  }
}

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
  // The phones: started, told the endpoints' ports (they start talking at once), then their figures.
  const phones = runRtpTool(load, [String(port), String(n), String(seconds)], "participants=");
  await phones.listening;
  // Participant i is member i % 5 of room i / 5 (the load generator's numbering too).
  const endpoints: EndpointHandle[] = [];
  for (let i = 0; i < n; i++)
    endpoints.push(await engine.openEndpoint({ room: `bench-${Math.floor(i / ROOM_SIZE)}` }));
  await Promise.all(
    endpoints.map((ep) => ep.setRemote({ address: HOST, port, rtcpMux: false, codec: "PCMU", send: true })),
  );
  const joined: MediaOperation[] = endpoints.map((ep, i) =>
    ep.conference(`bench-${Math.floor(i / ROOM_SIZE)}`),
  );
  // How the rooms fell on the workers (a room's name picks its worker).
  const perWorker = new Map<EndpointChannel, number>();
  for (const ep of endpoints) perWorker.set(ep.channel, (perWorker.get(ep.channel) ?? 0) + 1);
  // Their first packets latch each endpoint onto the phones' socket (symmetric RTP).
  phones.start(endpoints.map((ep) => ep.port));
  const cpu0 = process.cpuUsage();
  const busy0 = machineBusySeconds();
  const t0 = performance.now();
  const line = await phones.done;
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const machinePct = ((machineBusySeconds() - busy0) / elapsed) * 100;
  await Promise.all(endpoints.map((ep) => ep.close()));
  const ended = await Promise.all(joined.map((op) => op.result));
  const failed = ended.filter((r) => r.reason === "failed").length;
  const expected = figure(line, "expected");
  const packets = figure(line, "packets");
  const lossPct = expected > 0 ? Math.max(0, (100 * (expected - packets)) / expected) : 100;
  const p99 = figure(line, "p99_ms");
  const clean =
    figure(line, "heard") === n && figure(line, "silent") === 0 && failed === 0 && p99 < 5 && lossPct < 0.1;
  const cpuPct = ((cpu.user + cpu.system) / 1e6 / elapsed) * 100;
  const othersPct = Math.max(0, machinePct - cpuPct - figure(line, "load_cpu"));
  console.log(
    `BENCH media.conference participants=${n} rooms=${Math.ceil(n / ROOM_SIZE)} p99_ms=${p99}` +
      ` loss_pct=${lossPct.toFixed(3)} parley_cpu=${cpuPct.toFixed(0)}% ${clean ? "clean" : "NOT clean"}` +
      ` | others_cpu=${othersPct.toFixed(0)}%${othersPct > 25 ? " (the machine was busy with other work: rerun)" : ""}` +
      ` workers=${workers} split=${[...perWorker.values()].join("/")} joins_failed=${failed} ${line}`,
  );
  if (!clean) break;
  best = n;
}
await engine.close();
console.log(
  `BENCH media.conference.max_participants=${best} (rooms of ${ROOM_SIZE}, all talking; goal ${GOAL}, floor ${FLOOR})`,
);
process.exit(best >= FLOOR ? 0 : 1);
