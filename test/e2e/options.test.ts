/**
 * End to end: a real `parley start` on loopback, driven by sipp and sipsak and by raw sockets.
 */
import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { connect } from "node:net";
import { after, before, describe, it } from "node:test";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { freePort } from "../helpers/ports.js";
import { missingTool, runTool } from "../helpers/run-tool.js";
import { runSipp } from "../helpers/sipp.js";

const noSipp = missingTool("sipp");
const noSipsak = missingTool("sipsak");

async function sipp(parley: ParleyProcess, scenario: string, transport: "u1" | "t1", calls = 1) {
  const port = await freePort();
  return runSipp({
    scenario,
    port,
    remotePort: parley.sipPort,
    transport,
    calls,
    rate: 50,
    timeoutSeconds: 15,
  });
}

function udpExchange(port: number, request: string, count: number, timeoutMs = 3000): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const sock = createSocket("udp4");
    const got: Buffer[] = [];
    const timer = setTimeout(() => {
      sock.close();
      reject(new Error(`got ${got.length} of ${count} responses`));
    }, timeoutMs);
    sock.on("message", (msg) => {
      got.push(msg);
      if (got.length === count) {
        clearTimeout(timer);
        sock.close();
        resolve(got);
      }
    });
    sock.bind(0, "127.0.0.1", () => {
      const { port: local } = sock.address();
      const text = request.replaceAll("LOCALPORT", String(local));
      sock.send(Buffer.from(text), port, "127.0.0.1");
    });
  });
}

function options(branch: string, extra = "", cseq = "1 OPTIONS", method = "OPTIONS"): string {
  return (
    `${method} sip:127.0.0.1 SIP/2.0\r\n` +
    `Via: SIP/2.0/UDP 127.0.0.1:LOCALPORT;branch=${branch};rport\r\n` +
    "Max-Forwards: 70\r\n" +
    "To: <sip:127.0.0.1>\r\n" +
    "From: <sip:tester@127.0.0.1>;tag=t1\r\n" +
    `Call-ID: ${branch}@test\r\n` +
    `CSeq: ${cseq}\r\n` +
    extra +
    "Content-Length: 0\r\n\r\n"
  );
}

function statusLine(b: Buffer): string {
  return b.toString("latin1").split("\r\n")[0]!;
}

describe("parley start, end to end", () => {
  let parley: ParleyProcess;
  before(async () => {
    parley = await startParley(["--sip-trace"]);
  });
  after(async () => {
    const code = await parley.stop();
    assert.equal(code, 0, "parley must exit cleanly on SIGTERM");
  });

  describe("OPTIONS to Parley", () => {
    it("sipp over UDP gets 200 with Allow, Accept and Supported", { skip: noSipp }, async () => {
      const r = await sipp(parley, "options-uac.xml", "u1", 5);
      assert.equal(r.code, 0, r.stdout + r.stderr);
    });
    it("sipp over TCP gets 200 with Allow, Accept and Supported", { skip: noSipp }, async () => {
      const r = await sipp(parley, "options-uac.xml", "t1", 5);
      assert.equal(r.code, 0, r.stdout + r.stderr);
    });
    it("sipsak's OPTIONS ping is answered 200", { skip: noSipsak }, async () => {
      const r = await runTool("sipsak", [
        "--nagios-code",
        "-vv",
        "-s",
        "sip:127.0.0.1",
        "--remote-port",
        String(parley.sipPort),
        "-H",
        "127.0.0.1",
        "--local-ip",
        "127.0.0.1",
      ]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /SIP\/2\.0 200/);
    });
  });

  describe("RFC 3261 17.2.2: a retransmitted request", () => {
    it("gets a byte-identical response both times", async () => {
      const req = options("z9hG4bK-retrans-1");
      const sock = createSocket("udp4");
      const got: Buffer[] = [];
      await new Promise<void>((resolve) => sock.bind(0, "127.0.0.1", resolve));
      const text = Buffer.from(req.replaceAll("LOCALPORT", String(sock.address().port)));
      const done = new Promise<void>((resolve) =>
        sock.on("message", (m) => {
          got.push(m);
          if (got.length === 2) resolve();
        }),
      );
      sock.send(text, parley.sipPort, "127.0.0.1");
      await new Promise((r) => setTimeout(r, 100));
      sock.send(text, parley.sipPort, "127.0.0.1");
      await done;
      sock.close();
      assert.equal(statusLine(got[0]!), "SIP/2.0 200 OK");
      assert.deepEqual(got[1], got[0]);
    });
  });

  describe("malformed requests", () => {
    it("sipp: a broken Max-Forwards gets 400 naming it and the next good request is answered", {
      skip: noSipp,
    }, async () => {
      const r = await sipp(parley, "malformed-then-good.xml", "u1", 2);
      assert.equal(r.code, 0, r.stdout + r.stderr);
    });
    it("a request missing Call-ID with its other essentials gets no crash and the server keeps serving", async () => {
      const sock = createSocket("udp4");
      await new Promise<void>((resolve) => sock.bind(0, "127.0.0.1", resolve));
      sock.send(
        Buffer.from("OPTIONS sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bKx\r\n\r\n"),
        parley.sipPort,
        "127.0.0.1",
      );
      sock.send(Buffer.from("\x00\xff garbage \r\n\r\n"), parley.sipPort, "127.0.0.1");
      sock.close();
      const [res] = await udpExchange(parley.sipPort, options("z9hG4bK-after-garbage"), 1);
      assert.equal(statusLine(res!), "SIP/2.0 200 OK");
    });
  });

  describe("the minimal core", () => {
    it("answers an unknown method with 501 and Allow", async () => {
      const [res] = await udpExchange(parley.sipPort, options("z9hG4bK-unk", "", "1 FOOBAR", "FOOBAR"), 1);
      const text = res!.toString("latin1");
      assert.equal(statusLine(res!), "SIP/2.0 501 Not Implemented");
      assert.match(text, /\r\nAllow: [^\r]*OPTIONS/);
    });
    it("answers an unsupported URI scheme with 416", async () => {
      const req = options("z9hG4bK-416").replace("OPTIONS sip:127.0.0.1", "OPTIONS im:someone@example.com");
      const [res] = await udpExchange(parley.sipPort, req, 1);
      assert.equal(statusLine(res!), "SIP/2.0 416 Unsupported URI Scheme");
    });
    it("answers a Require'd extension it lacks with 420 and Unsupported", async () => {
      const [res] = await udpExchange(
        parley.sipPort,
        options("z9hG4bK-420", "Require: nothing-known, foo\r\n"),
        1,
      );
      assert.equal(statusLine(res!), "SIP/2.0 420 Bad Extension");
      assert.match(res!.toString("latin1"), /\r\nUnsupported: nothing-known, foo\r\n/);
    });
    it("answers Max-Forwards 0 on a request it would forward with 483", async () => {
      const req = options("z9hG4bK-483", "", "1 MESSAGE", "MESSAGE")
        .replace("MESSAGE sip:127.0.0.1", "MESSAGE sip:100@127.0.0.1")
        .replace("Max-Forwards: 70", "Max-Forwards: 0");
      const [res] = await udpExchange(parley.sipPort, req, 1);
      assert.equal(statusLine(res!), "SIP/2.0 483 Too Many Hops");
    });
    it("answers a bad SIP version with 505", async () => {
      const req = options("z9hG4bK-505").replace("sip:127.0.0.1 SIP/2.0", "sip:127.0.0.1 SIP/7.0");
      const [res] = await udpExchange(parley.sipPort, req, 1);
      assert.match(statusLine(res!), /^SIP\/2\.0 505 /);
    });
    it("answers a request it does not handle yet with a final response, never silence", async () => {
      const req = options("z9hG4bK-sub", "Event: presence\r\n", "1 SUBSCRIBE", "SUBSCRIBE");
      const [res] = await udpExchange(parley.sipPort, req, 1);
      assert.match(statusLine(res!), /^SIP\/2\.0 [3-6]\d\d /);
    });
  });

  describe("TCP framing", () => {
    it("frames several messages in one stream split at odd places, and answers CRLF pings", async () => {
      const sock = connect(parley.sipPort, "127.0.0.1");
      await new Promise<void>((resolve) => sock.once("connect", () => resolve()));
      const local = sock.localPort!;
      const msgs = [1, 2, 3].map((i) =>
        options(`z9hG4bK-tcp-${i}`, "", `${i} OPTIONS`)
          .replaceAll("UDP", "TCP")
          .replaceAll("LOCALPORT", String(local)),
      );
      const stream = Buffer.from("\r\n\r\n" + msgs.join(""));
      let received = "";
      sock.on("data", (d: Buffer) => {
        received += d.toString("latin1");
      });
      // Split at awkward places: inside "\r\n", inside a header name, at the body boundary.
      const cuts = [3, 7, 40, 41, 150, 151, 152, stream.length - 5, stream.length - 1];
      let prev = 0;
      for (const cut of cuts) {
        sock.write(stream.subarray(prev, cut));
        prev = cut;
        await new Promise((r) => setTimeout(r, 15));
      }
      sock.write(stream.subarray(prev));
      const deadline = Date.now() + 5000;
      while ((received.match(/SIP\/2\.0 200 OK/g) ?? []).length < 3 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
      }
      sock.destroy();
      assert.equal((received.match(/SIP\/2\.0 200 OK/g) ?? []).length, 3, received);
      assert.ok(received.startsWith("\r\n"), "the double-CRLF ping gets a CRLF pong first (RFC 5626 3.5.1)");
      for (const i of [1, 2, 3]) assert.match(received, new RegExp(`CSeq: ${i} OPTIONS`));
    });
  });

  describe("--sip-trace", () => {
    it("logs every SIP message in and out", async () => {
      await udpExchange(parley.sipPort, options("z9hG4bK-trace-check"), 1);
      await parley.waitForLog(
        (l) => typeof l.msg === "string" && l.msg.includes("z9hG4bK-trace-check") && l.direction === "in",
      );
      await parley.waitForLog(
        (l) => typeof l.msg === "string" && l.msg.includes("z9hG4bK-trace-check") && l.direction === "out",
      );
    });
  });
});
