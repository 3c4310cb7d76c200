/**
 * The SIP flooder (sip-flood.ts) counts right, against a scripted UDP responder on 127.0.0.1 that
 * answers by request number: 503 with Retry-After, a 407 sent twice after 30 ms, 100 Trying
 * only, a final answer after the grace time (too late: silent), and 503 without Retry-After; plus
 * a stray datagram. Proves the counts of answered / provisional-only / silent, the status
 * histograms, the 503s with Retry-After, datagrams and bytes both ways against the responder's
 * own tallies; and that each request is a new, well-formed, credential-less INVITE or REGISTER
 * of a phone's size, sent from every configured source address and socket.
 */
import assert from "node:assert/strict";
import { createSocket, type RemoteInfo } from "node:dgram";
import { before, describe, it } from "node:test";
import { parseMessage } from "../../src/sip/index.js";
import type { SipRequest } from "../../src/sip/types.js";
import { type FloodKind, type FloodReport, flood } from "./sip-flood.js";

interface Tally {
  datagramsIn: number;
  bytesIn: number;
  datagramsOut: number;
  bytesOut: number;
  bySeqClass: number[];
  sources: Set<string>;
  requests: SipRequest[];
}

/** A responder whose answer depends on the request number in the Call-ID (`<n>.<tag>@flood`). */
async function responder(graceMs: number) {
  // A big receive buffer: it shares its event loop with the flooder, whose bursts must not be
  // dropped by the kernel here.
  const sock = createSocket({ type: "udp4", recvBufferSize: 4 * 1024 * 1024 });
  await new Promise<void>((resolve) => sock.bind(0, "127.0.0.1", resolve));
  const timers = new Set<NodeJS.Timeout>();
  const t: Tally = {
    datagramsIn: 0,
    bytesIn: 0,
    datagramsOut: 0,
    bytesOut: 0,
    bySeqClass: [0, 0, 0, 0, 0],
    sources: new Set(),
    requests: [],
  };
  const send = (text: string, to: RemoteInfo) => {
    const data = Buffer.from(text, "latin1");
    t.datagramsOut++;
    t.bytesOut += data.length;
    sock.send(data, to.port, to.address);
  };
  const later = (ms: number, fn: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
  };
  sock.on("message", (data, from) => {
    t.datagramsIn++;
    t.bytesIn += data.length;
    t.sources.add(`${from.address}:${from.port}`);
    const parsed = parseMessage(data);
    assert.ok(parsed.ok && parsed.message.kind === "request", "the flooder sent a parsable request");
    const req = parsed.message as SipRequest;
    t.requests.push(req);
    const seq = Number(/^(\d+)\./.exec(req.callId ?? "")?.[1]);
    const cls = seq % 5;
    t.bySeqClass[cls]++;
    // RFC 3261 8.2.6.2: a response copies Via, From, To, Call-ID and CSeq.
    const copied = ["via", "from", "to", "call-id", "cseq"].map((h) => `${h}: ${req.get(h)}`).join("\r\n");
    const response = (status: string, extra = "") =>
      `SIP/2.0 ${status}\r\n${copied}\r\n${extra}Content-Length: 0\r\n\r\n`;
    if (cls === 0) {
      send(response("503 Service Unavailable", "Retry-After: 7\r\n"), from);
      if (seq === 0) send("SIP/2.0 200 OK\r\nCall-ID: someone-else\r\nContent-Length: 0\r\n\r\n", from);
    } else if (cls === 1) {
      later(30, () => send(response("407 Proxy Authentication Required"), from));
      later(60, () => send(response("407 Proxy Authentication Required"), from));
    } else if (cls === 2) send(response("100 Trying"), from);
    else if (cls === 3) later(graceMs + 2000, () => send(response("486 Busy Here"), from));
    else send(response("503 Service Unavailable"), from);
  });
  return {
    port: sock.address().port,
    tally: t,
    close: () => {
      for (const timer of timers) clearTimeout(timer);
      sock.close();
    },
  };
}

async function run(kind: FloodKind): Promise<{ report: FloodReport; t: Tally }> {
  const graceMs = 400;
  const r = await responder(graceMs);
  try {
    const report = await flood({
      host: "127.0.0.1",
      port: r.port,
      kind,
      rate: 2000,
      durationMs: 500,
      sources: ["127.0.0.1", "127.0.0.2"],
      socketsPerSource: 2,
      graceMs,
    });
    return { report, t: r.tally };
  } finally {
    r.close();
  }
}

for (const kind of ["INVITE", "REGISTER"] as const) {
  describe(`flood() of ${kind}s against a scripted responder`, () => {
    let report: FloodReport;
    let t: Tally;
    before(async () => {
      ({ report, t } = await run(kind));
    });

    it("sends rate x duration requests and counts each as sent", () => {
      assert.equal(report.requests, 1000);
      assert.equal(t.datagramsIn, report.requests);
      assert.equal(report.datagramsSent, report.requests);
      assert.equal(report.sendErrors, 0);
    });

    it("counts answered, provisional-only and silent requests by their answers", () => {
      const [c0, c1, c2, c3, c4] = t.bySeqClass;
      assert.equal(report.answered, c0 + c1 + c4);
      assert.equal(report.provisionalOnly, c2);
      // Class 3 is answered after the grace time: too late, so silent.
      assert.equal(report.silent, c3);
      assert.equal(report.answered + report.provisionalOnly + report.silent, report.requests);
      assert.equal(report.silentPct, Math.round((c3 / report.requests) * 10000) / 100);
    });

    it("keeps a histogram of first final statuses and one of every response datagram", () => {
      const [c0, c1, c2, , c4] = t.bySeqClass;
      assert.deepEqual(report.statuses, { "503": c0 + c4, "407": c1 });
      assert.deepEqual(report.responses, { "503": c0 + c4, "407": 2 * c1, "100": c2 });
      assert.equal(report.responses503, c0 + c4);
      assert.equal(report.responses503WithRetryAfter, c0);
      assert.equal(report.unmatched, 1);
    });

    it("counts bytes and datagrams both ways as the responder saw them", () => {
      assert.equal(report.bytesSent, t.bytesIn);
      assert.equal(report.bytesReceived, t.bytesOut);
      assert.equal(report.datagramsReceived, t.datagramsOut);
      assert.equal(report.bytesOutOverIn, Math.round((t.bytesOut / t.bytesIn) * 1000) / 1000);
      assert.equal(report.localDrops, 0);
    });

    it("measures the delay to the first final answer", () => {
      // The 503s come at once, the 407s 30 ms after their request (later still when this shared
      // event loop is busy, so only the bounds are certain).
      const l = report.finalLatencyMs;
      assert.ok(l.min < 30 && l.max >= 29 && l.min <= l.p50 && l.p50 <= l.p99, JSON.stringify(l));
    });

    it("sends from every source address and socket", () => {
      assert.equal(report.sockets, 4);
      assert.equal(t.sources.size, 4);
      assert.deepEqual(
        new Set([...t.sources].map((s) => s.split(":")[0])),
        new Set(["127.0.0.1", "127.0.0.2"]),
      );
    });

    it(`sends each ${kind} new, without credentials, shaped like a phone's`, () => {
      const [lo, hi] = kind === "INVITE" ? [700, 900] : [450, 550];
      assert.ok(
        report.requestBytes.min >= lo && report.requestBytes.max <= hi,
        JSON.stringify(report.requestBytes),
      );
      const ids = { callId: new Set(), branch: new Set(), tag: new Set() };
      for (const req of t.requests) {
        assert.equal(req.method, kind);
        assert.deepEqual(req.cseq, { seq: 1, method: kind });
        assert.equal(req.has("authorization") || req.has("proxy-authorization"), false);
        for (const h of ["max-forwards", "contact", "allow", "user-agent"]) assert.ok(req.has(h), h);
        if (kind === "INVITE") {
          assert.equal(req.get("content-type"), "application/sdp");
          const sdp = req.body.toString("latin1");
          for (const codec of ["PCMU/8000", "PCMA/8000", "telephone-event/8000"])
            assert.match(sdp, new RegExp(codec));
        } else {
          assert.equal(req.get("expires"), "3600");
          assert.ok(req.has("supported"));
        }
        ids.callId.add(req.callId);
        ids.branch.add(req.topVia?.branch);
        ids.tag.add(req.from?.tag);
      }
      assert.equal(ids.callId.size, t.requests.length);
      assert.equal(ids.branch.size, t.requests.length);
      assert.equal(ids.tag.size, t.requests.length);
    });
  });
}
