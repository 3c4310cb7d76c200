/**
 * Runs INSIDE a private network namespace with only loopback (see flood-netns.test.ts): starts
 * `parley start`, registers two legitimate phones, then floods Parley three times — REGISTERs and
 * INVITEs from 64 addresses (each under the per-source rate limit, so only overload control and
 * stateless challenges stand in the way) for FLOOD_MS each, and INVITEs from one address (the
 * per-source rate limit's case) — while the phones keep re-registering and calling. Prints one
 * JSON object: per flood, the flooder's report (sip-flood.ts), Parley's peak heap, and every legit
 * request's time to its final answer. Nothing can leave the namespace.
 *
 * `--rate-limit-allow ""`: loopback is exempt from the rate limit by default, and every address
 * here is a loopback one; with no exemption the floods meet the limit as strangers' would.
 */
import { spawn } from "node:child_process";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { ScriptedPhone } from "../helpers/scripted-phone.js";
import type { FloodReport } from "../helpers/sip-flood.js";

const FLOOD_MS = Number(process.env.FLOOD_MS ?? 30_000);
const RATE = Number(process.env.FLOOD_RATE ?? 10_000);
const root = new URL("../../", import.meta.url).pathname;

interface LegitResult {
  readonly what: string;
  readonly ms: number;
  readonly status: number | string;
}

export interface FloodPhase {
  readonly name: string;
  readonly flood: FloodReport;
  readonly peakHeapMb: number;
  readonly legit: LegitResult[];
}

/** Runs the flooder CLI in its own process; resolves with its JSON report. */
function runFlood(parley: ParleyProcess, kind: string, sources: string, rate: number): Promise<FloodReport> {
  const args = [
    "--import",
    "tsx",
    "test/helpers/sip-flood-cli.ts",
    ...["--port", String(parley.sipPort), "--kind", kind, "--rate", String(rate)],
    ...["--duration-ms", String(FLOOD_MS), "--sources", sources, "--sockets-per-source", "2"],
    ...["--user", "101", "--from-user", "100", "--grace-ms", "3000"],
  ];
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    proc.stdout.on("data", (d: Buffer) => (out += d.toString()));
    proc.stderr.on("data", (d: Buffer) => (err += d.toString()));
    proc.once("exit", (code) =>
      code === 0
        ? resolve(JSON.parse(out) as FloodReport)
        : reject(new Error(`flooder exit ${code}: ${err}`)),
    );
  });
}

/** Parley's heap in use (its own /metrics), polled every 500 ms until `stop` is called. */
function heapWatch(parley: ParleyProcess): { stop(): Promise<number> } {
  let peak = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        const res = await fetch(`http://127.0.0.1:${parley.httpPort}/metrics`, {
          signal: AbortSignal.timeout(2_000),
        });
        const m = /^parley_nodejs_heap_size_used_bytes (\d+(?:\.\d+)?(?:e\+\d+)?)$/m.exec(await res.text());
        if (m) peak = Math.max(peak, Number(m[1]));
      } catch {
        // A slow answer under load is no reading, not a failure.
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return Math.round(peak / 1048576);
    },
  };
}

/** What a legitimate phone does during a flood: re-register and call, each timed. */
function legitLoop(caller: ScriptedPhone): { stop(): Promise<LegitResult[]> } {
  const results: LegitResult[] = [];
  let running = true;
  const timed = async (what: string, run: () => Promise<number>) => {
    const started = performance.now();
    try {
      const status = await run();
      results.push({ what, ms: Math.round(performance.now() - started), status });
    } catch (err) {
      results.push({ what, ms: Math.round(performance.now() - started), status: String(err) });
    }
  };
  const loop = (async () => {
    while (running) {
      await timed("REGISTER", async () => (await caller.register()).status);
      await timed("call", async () => {
        const dialog = await caller.call("101");
        return (await caller.inDialog(dialog, "BYE")).status;
      });
      await new Promise((r) => setTimeout(r, 1_000));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return results;
    },
  };
}

async function phase(
  parley: ParleyProcess,
  caller: ScriptedPhone,
  name: string,
  kind: string,
  sources: string,
  rate: number,
): Promise<FloodPhase> {
  const heap = heapWatch(parley);
  const legit = legitLoop(caller);
  const flood = await runFlood(parley, kind, sources, rate);
  return { name, flood, legit: await legit.stop(), peakHeapMb: await heap.stop() };
}

async function main(): Promise<void> {
  const parley = await startParley(["--rate-limit-allow", "", "--rtp-ports", "40000-40999"]);
  const callee = await ScriptedPhone.open("101", parley.sipPort);
  const caller = await ScriptedPhone.open("100", parley.sipPort);
  const phases: FloodPhase[] = [];
  try {
    for (const phone of [callee, caller]) {
      const r = await phone.register();
      if (r.status !== 200) throw new Error(`${phone.user} could not register: ${r.status}`);
    }
    // 64 addresses, 2 sockets each: RATE / 64 a second per address, under --rate-limit (300).
    phases.push(await phase(parley, caller, "register-distributed", "REGISTER", "127.0.1.1-64", RATE));
    phases.push(await phase(parley, caller, "invite-distributed", "INVITE", "127.0.2.1-64", RATE));
    // One address, far over --rate-limit: dropped unparsed.
    phases.push(await phase(parley, caller, "invite-one-source", "INVITE", "127.0.3.1", RATE));
    const limited = parley.logs.filter((l) => String(l.msg).startsWith("source over --rate-limit"));
    process.stdout.write(`${JSON.stringify({ phases, rateLimitedSources: limited.map((l) => l.source) })}\n`);
  } finally {
    caller.close();
    callee.close();
    await parley.stop();
  }
}

await main();
