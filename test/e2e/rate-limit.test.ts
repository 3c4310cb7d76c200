/**
 * End to end (issue 22): the per-source rate limit (pike-style) and the per-connection message cap
 * on a real `parley start`. A source over `--rate-limit` has its datagrams dropped unparsed and
 * unanswered, while another address is served in full; an address on `--rate-limit-allow` is never
 * limited; a TCP connection over `--max-messages-per-connection` loses what exceeds it; each is
 * logged once, not once per message.
 */
import assert from "node:assert/strict";
import { createSocket, type Socket } from "node:dgram";
import { connect } from "node:net";
import { after, before, describe, it } from "node:test";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";

const RATE = 50;

function options(sipPort: number, from: { address: string; port: number }, n: number, proto = "UDP"): string {
  return (
    `OPTIONS sip:127.0.0.1:${sipPort} SIP/2.0\r\nVia: SIP/2.0/${proto} ${from.address}:${from.port};branch=z9hG4bKrl${n};rport\r\n` +
    `Max-Forwards: 70\r\nFrom: <sip:probe@${from.address}>;tag=rl${n}\r\nTo: <sip:127.0.0.1:${sipPort}>\r\n` +
    `Call-ID: rl${n}@${from.address}\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`
  );
}

async function udpFrom(address: string): Promise<{ socket: Socket; answers: string[] }> {
  const socket = createSocket("udp4");
  const answers: string[] = [];
  socket.on("message", (data) => answers.push(data.toString("latin1").split("\r\n")[0]!));
  await new Promise<void>((r) => socket.bind(0, address, () => r()));
  return { socket, answers };
}

/** `count` OPTIONS from `address` within ~100 ms; resolves with the answers seen 1.5 s later. */
async function burst(parley: ParleyProcess, address: string, count: number): Promise<string[]> {
  const { socket, answers } = await udpFrom(address);
  try {
    const from = { address, port: socket.address().port };
    for (let i = 0; i < count; i++) {
      socket.send(options(parley.sipPort, from, i), parley.sipPort, "127.0.0.1");
      // In tens, so no socket buffer on the way overflows: a drop must be Parley's.
      if (i % 10 === 9) await new Promise((r) => setTimeout(r, 3));
    }
    await new Promise((r) => setTimeout(r, 1_500));
    return answers;
  } finally {
    socket.close();
  }
}

describe("per-source rate limit and per-connection message cap", () => {
  let parley: ParleyProcess;

  before(async () => {
    parley = await startParley([
      "--rate-limit",
      String(RATE),
      "--rate-limit-allow",
      "127.0.0.2",
      "--max-messages-per-connection",
      "20",
      "--rtp-ports",
      "47400-47499",
    ]);
  });
  after(async () => {
    await parley?.stop();
  });

  it("answers a source's two-second burst, drops the rest unanswered, and serves another address in full", {
    timeout: 20_000,
  }, async () => {
    const flood = await burst(parley, "127.0.0.1", 300);
    assert.ok(
      flood.every((l) => l === "SIP/2.0 200 OK"),
      flood.join("\n"),
    );
    // 2 × 50 in the bucket, plus what refills while the 300 are sent.
    assert.ok(flood.length >= 2 * RATE && flood.length <= 2 * RATE + 30, `answered ${flood.length} of 300`);
    const other = await burst(parley, "127.0.0.3", 20);
    assert.equal(other.length, 20, "another address is not held back by the flood");
    const limited = parley.logs.filter(
      (l) => l.msg === "source over --rate-limit: its messages are dropped unanswered",
    );
    assert.equal(limited.length, 1, "logged once for the flood, not once per message");
    assert.equal(limited[0]?.source, "127.0.0.1");
  });

  it("never limits an address on --rate-limit-allow", { timeout: 20_000 }, async () => {
    const answers = await burst(parley, "127.0.0.2", 300);
    assert.equal(answers.length, 300);
  });

  it("drops what a TCP connection sends past --max-messages-per-connection, once logged", {
    timeout: 20_000,
  }, async () => {
    // From the allow-listed address, so only the connection's own cap applies.
    const socket = connect({ host: "127.0.0.1", port: parley.sipPort, localAddress: "127.0.0.2" });
    let received = "";
    socket.on("data", (d) => {
      received += d.toString("latin1");
    });
    await new Promise<void>((r) => socket.once("connect", () => r()));
    const from = { address: "127.0.0.2", port: socket.localPort ?? 0 };
    socket.write(
      Array.from({ length: 200 }, (_, i) => options(parley.sipPort, from, 1000 + i, "TCP")).join(""),
    );
    await new Promise((r) => setTimeout(r, 1_500));
    socket.destroy();
    const answered = received.split("SIP/2.0 200 OK").length - 1;
    assert.ok(
      answered >= 40 && answered <= 50,
      `answered ${answered} of 200 on one connection (2 × 20 a second)`,
    );
    const dropped = parley.logs.filter((l) =>
      String(l.msg).startsWith("messages dropped: a connection is over"),
    );
    assert.equal(dropped.length, 1);
    assert.equal(dropped[0]?.source, "127.0.0.2");
  });
});
