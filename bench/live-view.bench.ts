/**
 * The admin UI's live view: how long one snapshot takes to build (it is built once per change for
 * every open dashboard) with 1,000 users, 200 calls in progress and 20 lines, and how large it is.
 * "warm": a call or registration changed (configuration cached, no database query); "cold": after
 * a write through the API (users, lines and trunks reread from the embedded SQLite store).
 * Run: node --import tsx bench/live-view.bench.ts
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LiveEvents } from "../src/api/admin/live-events.js";
import { LiveSnapshots } from "../src/api/admin/live-snapshot.js";
import { offlineRouting } from "../src/api/routes/routing.js";
import type { ActiveCall } from "../src/api/types.js";
import { storeFromUrl } from "../src/store/index.js";

const USERS = 1000;
const CALLS = 200;
const LINES = 20;

const dir = mkdtempSync(join(tmpdir(), "parley-bench-live-"));
const store = await storeFromUrl(undefined, dir);
await store.migrate();
const domain = await store.domains.getDefault();
for (let i = 0; i < USERS; i++) {
  await store.users.create(domain.id, { name: String(1000 + i), password: "pw", displayName: `User ${i}` });
}
for (let i = 0; i < LINES; i++) {
  await store.routing.create(domain.id, "line", {
    account: `line${i}`,
    server: "127.0.0.1",
    doNotRegister: true,
  });
}
const now = Date.now();
const calls: ActiveCall[] = Array.from({ length: CALLS }, (_, i) => ({
  id: `call-${i}`,
  domainId: domain.id,
  caller: String(1000 + 2 * i),
  dialed: String(1001 + 2 * i),
  callee: String(1001 + 2 * i),
  state: "answered",
  startedAt: now - 60_000,
  answeredAt: now - 55_000,
  legs: [
    { role: "caller", peer: "sip:a@127.0.0.1:5070", callId: `a${i}`, state: "answered" },
    { role: "callee", peer: "sip:b@127.0.0.1:5080", callId: `b${i}`, state: "answered" },
  ],
}));
const talking = new Set(calls.flatMap((c) => [c.caller, c.callee ?? ""]));
const events = new LiveEvents();
const snapshots = new LiveSnapshots({
  store,
  domainId: domain.id,
  events,
  calls: { list: () => calls, hangup: async () => false },
  registrations: { list: () => [], remove: async () => false },
  userState: (_d, name) => (talking.has(name) ? "talking" : "online"),
  routing: offlineRouting(store, domain.id),
  now: Date.now,
});

async function measure(rounds: number, cold: boolean): Promise<{ ms: number; bytes: number }> {
  let bytes = 0;
  await snapshots.build();
  const start = performance.now();
  for (let i = 0; i < rounds; i++) {
    if (cold) events.notify("config");
    bytes = (await snapshots.build()).length;
  }
  return { ms: (performance.now() - start) / rounds, bytes };
}

const warm = await measure(200, false);
const cold = await measure(50, true);
console.log(
  `BENCH live_view.snapshot users=${USERS} calls=${CALLS} lines=${LINES} warm_ms=${warm.ms.toFixed(2)} cold_ms=${cold.ms.toFixed(2)} bytes=${warm.bytes}`,
);
snapshots.stop();
await store.close();
rmSync(dir, { recursive: true, force: true });
