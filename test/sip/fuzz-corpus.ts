/**
 * The SIP fuzzer's corpus (the RFC 4475 torture messages and typical phone messages) and its
 * deterministic mutations, shared by the parser's fuzz test and the call-record path's (issue 22).
 */
import { readdirSync, readFileSync } from "node:fs";

/** mulberry32: a tiny seeded PRNG, so every run mutates the same way. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DIR = new URL("../data/rfc4475/", import.meta.url);
const TYPICAL = [
  "INVITE sip:1002@pbx.example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.168.1.23:5060;branch=z9hG4bK1c3f;rport\r\n" +
    'Route: <sip:pbx.example.com;lr>\r\nFrom: "Alice" <sip:1001@pbx.example.com>;tag=3a7b\r\n' +
    "To: <sip:1002@pbx.example.com>\r\nCall-ID: 5f2a1c9e@192.168.1.23\r\nCSeq: 101 INVITE\r\n" +
    "Contact: <sip:1001@192.168.1.23:5060>\r\nMax-Forwards: 70\r\nAllow: INVITE, ACK, BYE\r\n" +
    "Content-Type: application/sdp\r\nContent-Length: 24\r\n\r\nv=0\r\no=- 1 1 IN IP4 1.2.3.4",
  "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 192.168.1.23:5060;branch=z9hG4bK1c3f;rport=5060;received=203.0.113.9\r\n" +
    "From: <sip:1001@pbx.example.com>;tag=3a7b\r\nTo: <sip:1002@pbx.example.com>;tag=9f8e\r\n" +
    "Call-ID: 5f2a1c9e@192.168.1.23\r\nCSeq: 101 INVITE\r\nContact: <sip:1002@192.168.1.24>\r\nContent-Length: 0\r\n\r\n",
  "REGISTER sip:pbx.example.com SIP/2.0\r\nv: SIP/2.0/TCP [2001:db8::1]:5060;branch=z9hG4bK7f\r\n" +
    "f: <sip:1001@pbx.example.com>;tag=8d\r\nt: <sip:1001@pbx.example.com>\r\ni: 0c1d@h\r\nCSeq: 2 REGISTER\r\n" +
    'm: *\r\nAuthorization: Digest username="1001", realm="pbx", nonce="5f", uri="sip:pbx", response="0a"\r\n' +
    "Expires: 0\r\nl: 0\r\n\r\n",
].map((t) => Buffer.from(t, "latin1"));
export const CORPUS: Buffer[] = [
  ...readdirSync(DIR)
    .filter((f) => f.endsWith(".dat"))
    .sort()
    .map((f) => readFileSync(new URL(f, DIR))),
  ...TYPICAL,
];

export type Mutation = (b: Buffer, rnd: () => number) => Buffer;
export const pick = <T>(xs: readonly T[], rnd: () => number): T => xs[Math.floor(rnd() * xs.length)];
const at = (b: Buffer, rnd: () => number): number => Math.floor(rnd() * (b.length + 1));

function lineStarts(b: Buffer): number[] {
  const out = [0];
  for (let i = b.indexOf("\r\n"); i >= 0; i = b.indexOf("\r\n", i + 2)) out.push(i + 2);
  return out;
}

export const MUTATIONS: Mutation[] = [
  (b, rnd) => {
    const c = Buffer.from(b);
    if (c.length > 0) c[Math.floor(rnd() * c.length)] ^= 1 << Math.floor(rnd() * 8);
    return c;
  },
  (b, rnd) => {
    const i = at(b, rnd);
    const byte = pick([0, 9, 10, 13, 32, 34, 44, 58, 59, 60, 62, 64, 92, 255, Math.floor(rnd() * 256)], rnd);
    return Buffer.concat([b.subarray(0, i), Buffer.from([byte]), b.subarray(i)]);
  },
  (b, rnd) => {
    const i = at(b, rnd);
    return Buffer.concat([b.subarray(0, i), b.subarray(Math.min(b.length, i + 1 + Math.floor(rnd() * 8)))]);
  },
  (b, rnd) => b.subarray(0, at(b, rnd)),
  (b, rnd) => {
    const other = pick(CORPUS, rnd);
    return Buffer.concat([b.subarray(0, at(b, rnd)), other.subarray(at(other, rnd))]);
  },
  (b, rnd) => {
    const starts = lineStarts(b);
    const s = pick(starts, rnd);
    const e = b.indexOf("\r\n", s);
    if (e < 0) return b;
    const line = b.subarray(s, e + 2);
    const copies = 1 + Math.floor(rnd() * 3);
    return Buffer.concat([b.subarray(0, s), ...Array<Buffer>(copies + 1).fill(line), b.subarray(e + 2)]);
  },
  (b, rnd) => {
    const starts = lineStarts(b);
    const s = pick(starts.slice(1), rnd) ?? 0;
    const name = pick(["Via", "Contact", "X-Huge", "Route", "Call-ID", "Subject"], rnd);
    const fill = pick([",", "a", ";", '"', "<", " "], rnd).repeat(1000 + Math.floor(rnd() * 60000));
    return Buffer.concat([b.subarray(0, s), Buffer.from(`${name}: ${fill}\r\n`, "latin1"), b.subarray(s)]);
  },
  (b) => {
    const t = b.toString("latin1");
    const m = /\d+/.exec(t.slice(Math.floor(t.length / 3)));
    if (m === null) return b;
    return Buffer.from(t.replace(m[0], "9".repeat(40)), "latin1");
  },
  (b, rnd) => {
    const n = Math.floor(rnd() * 64);
    const junk = Buffer.alloc(n);
    for (let i = 0; i < n; i++) junk[i] = Math.floor(rnd() * 256);
    const i = at(b, rnd);
    return Buffer.concat([b.subarray(0, i), junk, b.subarray(i)]);
  },
  (_b, rnd) => {
    const n = Math.floor(rnd() * 300);
    const junk = Buffer.alloc(n);
    for (let i = 0; i < n; i++) junk[i] = Math.floor(rnd() * 256);
    return junk;
  },
];

/** A corpus message mutated one to three times, the same way for the same `rnd`. */
export function mutant(rnd: () => number): Buffer {
  let input = pick(CORPUS, rnd);
  const steps = 1 + Math.floor(rnd() * 3);
  for (let k = 0; k < steps; k++) input = pick(MUTATIONS, rnd)(input, rnd);
  return input;
}
