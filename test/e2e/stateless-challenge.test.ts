/**
 * End to end (issue 22, hole 4): a digest challenge to a request without credentials keeps no
 * transaction and draws back one datagram per datagram. Before, one unacknowledged INVITE drew a
 * 100 Trying and a 407 retransmitted by Timer G for 32 s (12 datagrams, ~19 times its size, to a
 * possibly spoofed source), each held in memory meanwhile.
 */
import assert from "node:assert/strict";
import { createSocket, type Socket } from "node:dgram";
import { after, before, describe, it } from "node:test";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";

function request(method: "INVITE" | "REGISTER", sipPort: number, port: number, branch: string): Buffer {
  const uri = method === "INVITE" ? `sip:101@127.0.0.1:${sipPort}` : `sip:127.0.0.1:${sipPort}`;
  return Buffer.from(
    `${method} ${uri} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${port};branch=${branch};rport\r\n` +
      `Max-Forwards: 70\r\nFrom: <sip:100@127.0.0.1>;tag=flood\r\nTo: <sip:${method === "INVITE" ? "101" : "100"}@127.0.0.1>\r\n` +
      `Call-ID: ${branch}@flood\r\nCSeq: 1 ${method}\r\nContact: <sip:100@127.0.0.1:${port}>\r\nContent-Length: 0\r\n\r\n`,
  );
}

describe("challenges keep nothing", () => {
  let parley: ParleyProcess;
  let socket: Socket;
  const inbox: Buffer[] = [];

  before(async () => {
    parley = await startParley(["--rtp-ports", "47300-47399"]);
    socket = createSocket("udp4");
    socket.on("message", (data) => inbox.push(data));
    await new Promise<void>((r) => socket.bind(0, "127.0.0.1", () => r()));
  });
  after(async () => {
    socket?.close();
    await parley?.stop();
  });

  async function drawn(method: "INVITE" | "REGISTER", branch: string, sends: number): Promise<string[]> {
    inbox.length = 0;
    let sentBytes = 0;
    for (let i = 0; i < sends; i++) {
      // The same request again, as a client retransmits it: each gets a challenge of its own.
      const data = request(method, parley.sipPort, socket.address().port, branch);
      sentBytes += data.length;
      socket.send(data, parley.sipPort, "127.0.0.1");
      await new Promise((r) => setTimeout(r, 300));
    }
    // Timer G would have resent the 407 at 0.5, 1.5 and 3.5 s: wait past all three.
    await new Promise((r) => setTimeout(r, 4000));
    const lines = inbox.map((d) => d.toString("latin1").split("\r\n")[0]!);
    assert.ok(
      inbox.reduce((n, d) => n + d.length, 0) <= sentBytes * 3,
      "what comes back is a challenge per request, no more",
    );
    return lines;
  }

  it("an INVITE without credentials draws one 407, not resent, and no 100 Trying", {
    timeout: 20000,
  }, async () => {
    const lines = await drawn("INVITE", "z9hG4bKstateless1", 1);
    assert.deepEqual(lines, ["SIP/2.0 407 Proxy Authentication Required"]);
  });

  it("its retransmission draws a second 407, nothing more", { timeout: 20000 }, async () => {
    const lines = await drawn("INVITE", "z9hG4bKstateless2", 2);
    assert.deepEqual(lines, [
      "SIP/2.0 407 Proxy Authentication Required",
      "SIP/2.0 407 Proxy Authentication Required",
    ]);
  });

  it("a REGISTER without credentials draws one 401 each time", { timeout: 20000 }, async () => {
    const lines = await drawn("REGISTER", "z9hG4bKstateless3", 2);
    assert.deepEqual(lines, ["SIP/2.0 401 Unauthorized", "SIP/2.0 401 Unauthorized"]);
  });
});
