/**
 * SIP parser / serializer throughput on one core (issue acceptance: >= 500,000 typical INVITE
 * parses/s as the goal, 100,000 as the floor).
 * Run: node --import tsx bench/sip-parse.bench.ts
 */
import { createResponse, parseMessage } from "../src/sip/index.js";
import type { SipMessage, SipRequest } from "../src/sip/types.js";

const SDP =
  "v=0\r\n" +
  "o=- 1698765432 1698765432 IN IP4 192.168.1.23\r\n" +
  "s=-\r\n" +
  "c=IN IP4 192.168.1.23\r\n" +
  "t=0 0\r\n" +
  "m=audio 16384 RTP/AVP 9 0 8 18 101\r\n" +
  "a=rtpmap:9 G722/8000\r\n" +
  "a=rtpmap:0 PCMU/8000\r\n" +
  "a=rtpmap:8 PCMA/8000\r\n" +
  "a=rtpmap:18 G729/8000\r\n" +
  "a=fmtp:18 annexb=no\r\n" +
  "a=rtpmap:101 telephone-event/8000\r\n" +
  "a=fmtp:101 0-15\r\n" +
  "a=ptime:20\r\n" +
  "a=sendrecv\r\n";

const INVITE =
  "INVITE sip:1002@pbx.example.com SIP/2.0\r\n" +
  "Via: SIP/2.0/UDP 192.168.1.23:5060;branch=z9hG4bK1c3f9a07e2d4b8;rport\r\n" +
  "Route: <sip:pbx.example.com;lr>\r\n" +
  'From: "Alice Smith" <sip:1001@pbx.example.com>;tag=3a7b9c11d2\r\n' +
  "To: <sip:1002@pbx.example.com>\r\n" +
  "Call-ID: 5f2a1c9e-8b3d-4e7a-9c1f-0a2b3c4d5e6f@192.168.1.23\r\n" +
  "CSeq: 101 INVITE\r\n" +
  'Contact: <sip:1001@192.168.1.23:5060;transport=udp>;+sip.instance="<urn:uuid:00000000-0000-1000-8000-000B82A1B2C3>"\r\n' +
  "Max-Forwards: 70\r\n" +
  "User-Agent: Grandstream GXP2170 1.0.11.23\r\n" +
  "Allow: INVITE, ACK, CANCEL, BYE, NOTIFY, REFER, OPTIONS, INFO, SUBSCRIBE, UPDATE, PRACK, MESSAGE\r\n" +
  "Supported: replaces, path, timer, eventlist\r\n" +
  "Session-Expires: 1800\r\n" +
  "Min-SE: 90\r\n" +
  "Content-Type: application/sdp\r\n" +
  `Content-Length: ${SDP.length}\r\n` +
  "\r\n" +
  SDP;

const REGISTER =
  "REGISTER sip:pbx.example.com SIP/2.0\r\n" +
  "Via: SIP/2.0/UDP 192.168.1.23:5060;branch=z9hG4bK7f00e2c1a9;rport\r\n" +
  "From: <sip:1001@pbx.example.com>;tag=8d1e2f3a4b\r\n" +
  "To: <sip:1001@pbx.example.com>\r\n" +
  "Call-ID: 0c1d2e3f4a5b6c7d@192.168.1.23\r\n" +
  "CSeq: 2 REGISTER\r\n" +
  "Contact: <sip:1001@192.168.1.23:5060>;expires=3600\r\n" +
  'Authorization: Digest username="1001", realm="pbx.example.com", nonce="5f8e1b2c3d4a", ' +
  'uri="sip:pbx.example.com", response="0a4f113b59b4d0c7a1bd4b5e9d6c2f88", algorithm=MD5, ' +
  'cnonce="2b7f3e", qop=auth, nc=00000001\r\n' +
  "Max-Forwards: 70\r\n" +
  "User-Agent: Yealink SIP-T46S 66.86.0.15\r\n" +
  "Expires: 3600\r\n" +
  "Allow: INVITE, ACK, CANCEL, BYE, NOTIFY, REFER, OPTIONS, INFO, SUBSCRIBE, UPDATE, MESSAGE\r\n" +
  "Content-Length: 0\r\n" +
  "\r\n";

const OK200 =
  "SIP/2.0 200 OK\r\n" +
  "Via: SIP/2.0/UDP 192.168.1.23:5060;branch=z9hG4bK1c3f9a07e2d4b8;rport=5060;received=203.0.113.9\r\n" +
  "Record-Route: <sip:pbx.example.com;lr>\r\n" +
  'From: "Alice Smith" <sip:1001@pbx.example.com>;tag=3a7b9c11d2\r\n' +
  "To: <sip:1002@pbx.example.com>;tag=9f8e7d6c5b\r\n" +
  "Call-ID: 5f2a1c9e-8b3d-4e7a-9c1f-0a2b3c4d5e6f@192.168.1.23\r\n" +
  "CSeq: 101 INVITE\r\n" +
  "Contact: <sip:1002@192.168.1.24:5060>\r\n" +
  "Allow: INVITE, ACK, CANCEL, BYE, NOTIFY, REFER, OPTIONS, INFO, UPDATE\r\n" +
  "Supported: replaces, timer\r\n" +
  "Server: Snom D785 10.1.73.16\r\n" +
  "Content-Type: application/sdp\r\n" +
  `Content-Length: ${SDP.length}\r\n` +
  "\r\n" +
  SDP;

const OPTIONS =
  "OPTIONS sip:pbx.example.com SIP/2.0\r\n" +
  "Via: SIP/2.0/UDP 192.168.1.23:5060;branch=z9hG4bK-524287-1---3b1f7d2a9c;rport\r\n" +
  "Max-Forwards: 70\r\n" +
  "Contact: <sip:1001@192.168.1.23:5060>\r\n" +
  "To: <sip:pbx.example.com>\r\n" +
  "From: <sip:1001@pbx.example.com>;tag=5e2d7a1b\r\n" +
  "Call-ID: 7c4f2e1a9b3d5c6e@192.168.1.23\r\n" +
  "CSeq: 1 OPTIONS\r\n" +
  "Accept: application/sdp\r\n" +
  "User-Agent: Zoiper rv2.10.20.1\r\n" +
  "Content-Length: 0\r\n" +
  "\r\n";

let sink = 0;

/** What the transaction layer reads to match a request (RFC 3261 17.2.3). */
function readTransactionFields(m: SipRequest): void {
  const via = m.topVia;
  sink += (via?.branch?.length ?? 0) + (via?.host.length ?? 0) + (via?.port ?? 0);
  sink += (m.cseq?.seq ?? 0) + m.method.length + (m.callId?.length ?? 0);
  sink += (m.from?.tag?.length ?? 0) + (m.to?.tag?.length ?? 0);
}

function mustRequest(bytes: Buffer): SipRequest {
  const m = mustParse(bytes);
  if (m.kind !== "request") throw new Error("bench message is not a request");
  return m;
}

/**
 * One OPTIONS answered by the server: parse, stamp received/rport (RFC 3581), read what the
 * transaction layer reads, build the 200 with a To tag and 5 headers, serialize.
 */
function optionsRound(bytes: Buffer): void {
  const m = mustRequest(bytes);
  m.setTopViaParams({ received: "203.0.113.9", rport: 5060 });
  readTransactionFields(m);
  const res = createResponse(m, 200, undefined, {
    toTag: "as7d9f1b2c",
    headers: [
      ["Allow", "INVITE, ACK, CANCEL, BYE, OPTIONS, REGISTER, NOTIFY, REFER, MESSAGE"],
      ["Accept", "application/sdp"],
      ["Supported", "path, outbound, gruu"],
      ["Server", "Parley 0.1.0"],
      ["Contact", "<sip:pbx.example.com:5060>"],
    ],
  });
  sink += res.serialize().length;
}

/** One REGISTER answered: as optionsRound, plus the registrar's reads (Contact, Authorization, Expires). */
function registerRound(bytes: Buffer): void {
  const m = mustRequest(bytes);
  m.setTopViaParams({ received: "203.0.113.9", rport: 5060 });
  readTransactionFields(m);
  const contacts = m.nameAddrs("contact");
  sink += contacts.length + (contacts[0]?.uri.host.length ?? 0) + (m.get("authorization")?.length ?? 0);
  sink += m.get("expires")?.length ?? 0;
  const res = createResponse(m, 200, undefined, {
    toTag: "as7d9f1b2c",
    headers: [
      ["Contact", "<sip:1001@192.168.1.23:5060>;expires=3600"],
      ["Date", "Sat, 22 Nov 2026 13:37:00 GMT"],
      ["Server", "Parley 0.1.0"],
      ["Supported", "path, outbound, gruu"],
      ["Allow", "INVITE, ACK, CANCEL, BYE, OPTIONS, REGISTER"],
    ],
  });
  sink += res.serialize().length;
}

function mustParse(bytes: Buffer): SipMessage {
  const r = parseMessage(bytes);
  if (!r.ok) throw new Error(`bench message does not parse: ${r.error.reason}`);
  return r.message;
}

/**
 * Runs `fn` in batches until `seconds` have passed. Returns operations per wall-clock second and
 * per CPU second of this process (the fairer figure on a shared machine).
 */
function measure(fn: () => void, seconds: number): { wall: number; cpu: number } {
  const batch = 1000;
  const limit = process.hrtime.bigint() + BigInt(Math.round(seconds * 1e9));
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  let ops = 0;
  let now = t0;
  while (now < limit) {
    for (let i = 0; i < batch; i++) fn();
    ops += batch;
    now = process.hrtime.bigint();
  }
  const cpu = process.cpuUsage(cpu0);
  return { wall: ops / (Number(now - t0) / 1e9), cpu: ops / ((cpu.user + cpu.system) / 1e6) };
}

function parseAndRead(bytes: Buffer): void {
  const r = parseMessage(bytes);
  if (!r.ok) throw new Error("parse failed");
  const m = r.message;
  sink += (m.callId?.length ?? 0) + (m.cseq?.seq ?? 0) + (m.topVia?.branch?.length ?? 0);
  sink += (m.from?.tag?.length ?? 0) + (m.to?.tag?.length ?? 0);
}

const cases: Array<{ name: string; bytes: Buffer }> = [
  { name: "invite", bytes: Buffer.from(INVITE, "latin1") },
  { name: "register", bytes: Buffer.from(REGISTER, "latin1") },
  { name: "ok200", bytes: Buffer.from(OK200, "latin1") },
];

const seconds = Number(process.env.BENCH_SECONDS ?? "1.5");
const rows: Array<[string, number, { wall: number; cpu: number }]> = [];
const rounds: Array<[string, Buffer, (bytes: Buffer) => void]> = [
  ["sip.round.options", Buffer.from(OPTIONS, "latin1"), optionsRound],
  ["sip.round.register", Buffer.from(REGISTER, "latin1"), registerRound],
];
for (const [label, bytes, round] of rounds) {
  const fn = (): void => round(bytes);
  measure(fn, 0.3);
  rows.push([label, bytes.length, measure(fn, seconds)]);
}
for (const { name, bytes } of cases) {
  const untouched = mustParse(bytes);
  const work: Array<[string, () => void]> = [
    [`sip.parse.${name}`, () => parseAndRead(bytes)],
    [
      `sip.serialize.${name}.untouched`,
      () => {
        sink += untouched.serialize().length;
      },
    ],
    [
      `sip.serialize.${name}.via-params`,
      () => {
        const m = mustParse(bytes);
        m.setTopViaParams({ received: "203.0.113.9", rport: 5060 });
        sink += m.serialize().length;
      },
    ],
  ];
  for (const [label, fn] of work) {
    measure(fn, 0.3); // warm-up: let the JIT settle
    rows.push([label, bytes.length, measure(fn, seconds)]);
  }
}

const fmt = (n: number): string => Math.round(n).toLocaleString("en-US").padStart(12);
console.log("case                                  bytes  ops/s (wall)  ops/cpu-s");
for (const [label, size, r] of rows) {
  console.log(`${label.padEnd(36)} ${String(size).padStart(6)} ${fmt(r.wall)} ${fmt(r.cpu)}`);
}
console.log("parse = parse + read callId, cseq, topVia.branch, from.tag, to.tag");
console.log("via-params = parse + setTopViaParams({received, rport}) + serialize");
console.log(
  "round = parse + setTopViaParams + transaction reads + createResponse 200 (To tag, 5 headers) + serialize",
);
for (const [label, , r] of rows) {
  console.log(`BENCH ${label} ops_per_s=${Math.round(r.wall)} ops_per_cpu_s=${Math.round(r.cpu)}`);
}
if (sink === 42) console.log("");
