/**
 * The relay under test in the relay bench (bench/relay.sh): Parley's MediaEngine (worker threads)
 * in its own process, driven over stdin. `alloc N` releases what it holds, allocates N relay
 * sessions (latching onto any source, as for phones behind NAT) and prints one "portA portB" line
 * per session, then "ready". `quit` ends it.
 */
import { createInterface } from "node:readline";
import { MediaEngine, type MediaSession } from "../../src/media/media-engine.js";

const [min, max] = (process.env.RTP_PORTS ?? "30000-39999").split("-").map(Number);
const engine = new MediaEngine({
  minPort: min,
  maxPort: max,
  workers: Number(process.env.MEDIA_WORKERS ?? 1),
  bindAddress: "127.0.0.1",
  requestTimeoutMs: 10000,
});
await engine.start();
let sessions: MediaSession[] = [];
process.stdout.write("started\n");
for await (const line of createInterface({ input: process.stdin })) {
  const [cmd, arg] = line.trim().split(/\s+/);
  if (cmd === "alloc") {
    await Promise.all(sessions.map((s) => s.close()));
    sessions = [];
    const n = Number(arg);
    // In batches: thousands of binds at once would only queue in the worker.
    for (let i = 0; i < n; i += 100) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(100, n - i) }, () => engine.allocate({ a: true, b: true })),
      );
      sessions.push(...batch);
    }
    process.stdout.write(`${sessions.map((s) => `${s.portA} ${s.portB}`).join("\n")}\nready\n`);
  } else if (cmd === "quit") break;
}
await engine.close();
process.exit(0);
