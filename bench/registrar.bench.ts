/**
 * CPU of the REGISTER-specific work (authenticator, registrar, location service, user directory,
 * binding store) per authenticated registration, in process: REGISTER -> 401 -> REGISTER with
 * digest -> 200, for users 1000..1999 (password = name) as sipp's bench/kamailio/reg.xml sends
 * them. Transport, transactions and the parse of the start line and top headers are not counted;
 * building the responses is. Run: node --import tsx bench/registrar.bench.ts [registrations]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Authenticator } from "../src/auth/authenticator.js";
import { BanList } from "../src/auth/ban-list.js";
import { expectedResponse, ha1 } from "../src/auth/digest.js";
import { LocationService } from "../src/registrar/location-service.js";
import { RegisterHandler } from "../src/registrar/register-handler.js";
import { createResponse, parseMessage } from "../src/sip/index.js";
import type { SipRequest, SipResponse } from "../src/sip/types.js";
import { storeFromUrl } from "../src/store/index.js";
import { UserDirectory } from "../src/store/user-directory.js";
import type { ServerTransaction } from "../src/transaction/types.js";
import type { ReceivedMessage } from "../src/transport/types.js";
import { systemClock } from "../src/util/clock.js";
import { silentLogger } from "../src/util/logger.js";

const total = Number(process.argv[2] ?? "60000");
const dir = mkdtempSync(join(tmpdir(), "parley-regbench-"));
const store = await storeFromUrl(undefined, dir);
await store.migrate();
const domain = await store.domains.getDefault();
for (let u = 1000; u <= 1999; u++)
  await store.users.create(domain.id, { name: String(u), password: String(u) });

const users = new UserDirectory(store.users);
const authenticator = new Authenticator({
  clock: systemClock,
  credentials: users,
  bans: new BanList(systemClock),
});
const location = new LocationService(systemClock, () => Date.now(), store.bindings);
await location.start();
let last: SipResponse | undefined;
const handler = new RegisterHandler({
  location,
  authenticator,
  users,
  domainFor: () => domain,
  respond: (request, status, reason, headers = []) =>
    createResponse(request, status, reason, { toTag: "b1e2", headers: [["Server", "Parley"], ...headers] }),
  now: () => Date.now(),
  logger: silentLogger(),
});
const tx = {
  respond: (response: SipResponse) => {
    last = response;
  },
} as unknown as ServerTransaction;

function register(user: string, callId: string, cseq: number, authorization?: string): Buffer {
  return Buffer.from(
    "REGISTER sip:perf.local SIP/2.0\r\n" +
      `Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-${callId.replace("@", "-")}-${cseq}\r\n` +
      `From: <sip:${user}@perf.local>;tag=1234SIPpTag00${callId.replace("@", "-")}\r\n` +
      `To: <sip:${user}@perf.local>\r\n` +
      `Call-ID: ${callId}\r\n` +
      `CSeq: ${cseq} REGISTER\r\n` +
      `Contact: <sip:${user}@127.0.0.1:5070;transport=UDP>\r\n` +
      (authorization ? `Authorization: ${authorization}\r\n` : "") +
      "Max-Forwards: 70\r\nExpires: 3600\r\nUser-Agent: sipp-perf\r\nContent-Length: 0\r\n\r\n",
    "latin1",
  );
}

function received(bytes: Buffer): ReceivedMessage & { message: SipRequest } {
  const r = parseMessage(bytes);
  if (!r.ok) throw new Error(r.error.reason);
  const message = r.message as SipRequest;
  // What the transaction layer reads on every request, so it is not counted below.
  void message.callId;
  void message.cseq;
  void message.topVia;
  void message.from;
  void message.to;
  return {
    message,
    protocol: "UDP",
    source: { address: "127.0.0.1", port: 5070 },
    local: { address: "127.0.0.1", port: 5060 },
    flowId: undefined,
    receivedAt: 0,
  };
}

/** Answers the challenge as sipp does (MD5, qop=auth, nc=00000001). */
function authorization(user: string, challenge: string): string {
  const nonce = /nonce="([^"]+)"/.exec(challenge)?.[1] ?? "";
  const cnonce = "6b8b4567";
  const response = expectedResponse({
    algorithm: "MD5",
    ha1: expectedHa1(user),
    method: "REGISTER",
    uri: "sip:perf.local",
    nonce,
    qop: "auth",
    nc: "00000001",
    cnonce,
  });
  return `Digest username="${user}",realm="${domain.realm}",cnonce="${cnonce}",nc=00000001,qop=auth,uri="sip:perf.local",nonce="${nonce}",response="${response}",algorithm=MD5`;
}

const ha1s = new Map<string, string>();
function expectedHa1(user: string): string {
  let v = ha1s.get(user);
  if (!v) {
    v = ha1("MD5", user, domain.realm, user);
    ha1s.set(user, v);
  }
  return v;
}

let spent = 0n;
let failures = 0;
async function run(count: number, counted: boolean): Promise<void> {
  for (let i = 0; i < count; i++) {
    const user = String(1000 + (i % 1000));
    const callId = `${i}-${counted ? "m" : "w"}@127.0.0.1`;
    const first = received(register(user, callId, 1));
    let t = process.hrtime.bigint();
    handler.handle(first, tx);
    if (counted) spent += process.hrtime.bigint() - t;
    if (last?.status !== 401) await new Promise<void>((r) => setImmediate(r));
    const challenge = last?.getAll("www-authenticate")[0] ?? "";
    const second = received(register(user, callId, 2, authorization(user, challenge)));
    t = process.hrtime.bigint();
    handler.handle(second, tx);
    if (counted) spent += process.hrtime.bigint() - t;
    if (last?.status !== 200) {
      await new Promise<void>((r) => setImmediate(r));
      if (last?.status !== 200) failures++;
    }
    if (i % 100 === 99) {
      // Let queued store writes commit (they run on the event loop, so they count).
      t = process.hrtime.bigint();
      await new Promise<void>((r) => setImmediate(r));
      if (counted) spent += process.hrtime.bigint() - t;
    }
  }
}

await run(Math.min(total, 20000), false);
const t0 = process.hrtime.bigint();
await run(total, true);
const wall = Number(process.hrtime.bigint() - t0) / 1e3 / total;
await location.stop();
await store.close();
rmSync(dir, { recursive: true, force: true });
console.log(
  `BENCH registrar.register us_per_op=${(Number(spent) / 1e3 / total).toFixed(1)} wall_us_per_op=${wall.toFixed(1)} count=${total} failures=${failures}`,
);
