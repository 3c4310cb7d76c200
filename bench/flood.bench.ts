/**
 * Floods (issue 22, hole 4): a real `parley start` on 127.0.0.1 takes an INVITE flood, then (a
 * fresh one) a REGISTER flood, each far above what it can serve (it completes ~900
 * authenticated calls/s): new credential-less requests at FLOOD_RATE/s (default 10,000) for
 * FLOOD_SECS (30) from 32 sockets on 127.0.0.2-9, sent by the flooder in its own process
 * (test/helpers/sip-flood-cli.ts), which never retransmits nor ACKs. 127.0.0.0/8 is exempt from
 * the per-source rate limit by default, so this measures the overload path: stateless
 * challenges and 503 + Retry-After.
 *
 * Per flood: share of requests answered with a final response, share silent (nothing within 3 s
 * of the last request), Parley's peak JS heap (GET /metrics every second) and resident set
 * (/proc/<pid>/status), bytes Parley sent back over bytes it was sent (amplification), the
 * status histograms, datagrams the kernel dropped at Parley's socket, and a phone (user 102)
 * re-registering every 2 s through the flood: its worst answer time.
 * Goals: 0% silent, heap < 300 MB, ratio <= 1. Exits 1 if heap >= 300 MB, ratio > 1 or more
 * than 5% silent.
 * Run: node --import tsx bench/flood.bench.ts   (env FLOOD_RATE, FLOOD_SECS, FLOOD_KINDS=INVITE,REGISTER)
 */
import { execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { startParley } from "../test/helpers/parley-process.js";
import { freePort } from "../test/helpers/ports.js";
import type { FloodReport } from "../test/helpers/sip-flood.js";
import { SipUdpClient } from "../test/helpers/sip-udp-client.js";
import { udpSocketCounters } from "../test/helpers/udp-drops.js";

const RATE = Number(process.env.FLOOD_RATE ?? 10_000);
const SECS = Number(process.env.FLOOD_SECS ?? 30);
const KINDS = (process.env.FLOOD_KINDS ?? "INVITE,REGISTER").split(",") as Array<"INVITE" | "REGISTER">;
const SOURCES = "127.0.0.2-9";
const SOCKETS_PER_SOURCE = 4;
const GRACE_MS = 3000;
const HEAP_LIMIT_MB = 300;
const SILENT_FLOOR_PCT = 5;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs the flooder in its own process; resolves with its JSON report. */
function runFlooder(port: number, kind: string): Promise<FloodReport> {
  const args = ["--import", "tsx", "test/helpers/sip-flood-cli.ts", "--port", String(port), "--kind", kind];
  args.push("--rate", String(RATE), "--duration-ms", String(SECS * 1000), "--grace-ms", String(GRACE_MS));
  args.push("--sources", SOURCES, "--sockets-per-source", String(SOCKETS_PER_SOURCE));
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  child.stdout.on("data", (c: Buffer) => (out += c.toString()));
  return new Promise((resolve, reject) =>
    child.once("exit", (code) =>
      code === 0 ? resolve(JSON.parse(out) as FloodReport) : reject(new Error(`flooder exited ${code}`)),
    ),
  );
}

/** One scrape of GET /metrics: heap used and transactions held, or undefined if it timed out. */
async function scrape(httpPort: number): Promise<{ heap: number; transactions: number } | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${httpPort}/metrics`, { signal: AbortSignal.timeout(3000) });
    const text = await res.text();
    const heap = Number(/^parley_nodejs_heap_size_used_bytes (\S+)/m.exec(text)?.[1] ?? Number.NaN);
    let transactions = 0;
    for (const m of text.matchAll(/^parley_sip_transactions(?:\{[^}]*\})? (\S+)/gm))
      transactions += Number(m[1]);
    return { heap, transactions };
  } catch {
    return undefined;
  }
}

function rssBytes(pid: number): number {
  const kib = /^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
  return Number(kib) * 1024;
}

/** CPU seconds a process has used (utime + stime, /proc/<pid>/stat; clock ticks of 1/100 s). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(f[11]) + Number(f[12])) / 100;
}

function heapAfterGc(inspectPort: number): number {
  const out = execFileSync(process.execPath, [
    "--experimental-websocket",
    "--no-warnings",
    "bench/heap-probe.mjs",
    String(inspectPort),
  ]);
  return Number(/"heapUsed":(\d+)/.exec(out.toString())?.[1]);
}

const mb = (b: number) => Math.round(b / 1048576);
let failed = false;

for (const kind of KINDS) {
  const inspectPort = await freePort();
  const parley = await startParley([], {
    NODE_OPTIONS: `--inspect=127.0.0.1:${inspectPort} ${process.env.PARLEY_NODE_OPTIONS ?? ""}`,
  });
  try {
    const pid = parley.proc.pid!;
    const parleySocket = [{ address: "127.0.0.1", port: parley.sipPort }];
    const phone = await SipUdpClient.open(parley.sipPort);
    const registered = await phone.register({ user: "102", password: "102", expires: 300 });
    if (registered.status !== 200) throw new Error(`the phone could not register: ${registered.status}`);
    await sleep(500);
    const base = { heap: heapAfterGc(inspectPort), rss: rssBytes(pid) };
    const dropsBefore = udpSocketCounters(parleySocket)?.drops ?? 0;

    const cpuBefore = cpuSeconds(pid);
    const floodStart = performance.now();
    let flooding = true;
    const flooder = runFlooder(parley.sipPort, kind).finally(() => {
      flooding = false;
    });
    let peakHeap = 0;
    let peakRss = 0;
    let peakTransactions = 0;
    let scrapesMissed = 0;
    const sampler = (async () => {
      while (flooding) {
        const started = Date.now();
        const s = await scrape(parley.httpPort);
        if (s === undefined) scrapesMissed++;
        else {
          peakHeap = Math.max(peakHeap, s.heap);
          peakTransactions = Math.max(peakTransactions, s.transactions);
        }
        peakRss = Math.max(peakRss, rssBytes(pid));
        await sleep(Math.max(0, 1000 - (Date.now() - started)));
      }
    })();
    // A phone keeps its registration through the flood (RFC 3261 10.2.4 refresh) every 2 s.
    let phoneWorstMs = 0;
    let phoneFailures = 0;
    let phoneTries = 0;
    const prober = (async () => {
      await sleep(2000);
      while (flooding) {
        const t0 = performance.now();
        phoneTries++;
        try {
          const r = await phone.register({ user: "102", password: "102", expires: 300 });
          if (r.status !== 200) phoneFailures++;
        } catch {
          phoneFailures++;
        }
        phoneWorstMs = Math.max(phoneWorstMs, performance.now() - t0);
        await sleep(2000);
      }
    })();
    const report = await flooder;
    const parleyCpuPct = Math.round(
      ((cpuSeconds(pid) - cpuBefore) * 100000) / (performance.now() - floodStart),
    );
    await Promise.all([sampler, prober]);
    const parleyDrops = (udpSocketCounters(parleySocket)?.drops ?? 0) - dropsBefore;
    const heapAfter = heapAfterGc(inspectPort);
    phone.close();

    const name = kind === "INVITE" ? "flood.invite" : "flood.register";
    console.log(
      `BENCH ${name} rate=${report.rateAchieved}/s answered=${report.answeredPct}% silent=${report.silentPct}% peak_heap_mb=${mb(peakHeap)} bytes_out_over_in=${report.bytesOutOverIn} (goals: 0% silent, heap < ${HEAP_LIMIT_MB} MB, ratio <= 1)`,
    );
    console.log(
      `  ${kind}: ${report.requests} requests (target ${RATE}/s for ${SECS} s, ${report.requestBytes.min}-${report.requestBytes.max} bytes, ${report.sockets} sockets), answered ${report.answered}, provisional only ${report.provisionalOnly}, silent ${report.silent}`,
    );
    console.log(`  first final statuses: ${JSON.stringify(report.statuses)}`);
    console.log(
      `  response datagrams: ${JSON.stringify(report.responses)}; 503s with Retry-After: ${report.responses503WithRetryAfter} of ${report.responses503}`,
    );
    console.log(
      `  bytes: ${report.bytesSent} in (${report.datagramsSent} datagrams), ${report.bytesReceived} out (${report.datagramsReceived} datagrams); answer delay ms ${JSON.stringify(report.finalLatencyMs)}`,
    );
    console.log(
      `  Parley: heap ${mb(base.heap)} MB idle (after GC), peak ${mb(peakHeap)} MB used, ${mb(heapAfter)} MB after GC ${GRACE_MS / 1000} s after the flood; RSS ${mb(base.rss)} -> peak ${mb(peakRss)} MB; peak transactions ${peakTransactions}; CPU ${parleyCpuPct}% of one core over the flood; metrics scrapes timed out: ${scrapesMissed}`,
    );
    console.log(
      `  kernel drops: ${parleyDrops} datagrams at Parley's SIP socket, ${report.localDrops ?? "n/a"} at the flooder's; flooder CPU ${Math.round((report.cpuMs * 100) / (report.durationMs + GRACE_MS))}% of one core; phone 102 re-registering: ${phoneTries} tries, ${phoneFailures} failed, worst ${Math.round(phoneWorstMs)} ms`,
    );
    if (mb(peakHeap) >= HEAP_LIMIT_MB || report.bytesOutOverIn > 1 || report.silentPct > SILENT_FLOOR_PCT)
      failed = true;
  } finally {
    await parley.stop();
  }
}
if (failed) process.exitCode = 1;
