/**
 * End to end (issue 22, hole 2): a SIP trunk's calls are not challenged, so only the trunk itself
 * may be taken for it: a request from the trunk's address but another port, or over another
 * transport, is challenged like a stranger's (before, any TCP connection from the address was
 * trusted as the trunk, and an unauthenticated call went out). Trusting the address alone is an
 * explicit per-trunk choice; extra source ports can be listed.
 */
import assert from "node:assert/strict";
import { createSocket, type Socket } from "node:dgram";
import { connect } from "node:net";
import { after, before, describe, it } from "node:test";
import { parseMessage } from "../../src/sip/index.js";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { freePorts } from "../helpers/ports.js";

let n = 0;
function invite(sipPort: number, via: string, from: string): string {
  n++;
  return (
    `INVITE sip:101@127.0.0.1:${sipPort} SIP/2.0\r\nVia: SIP/2.0/${via};branch=z9hG4bKtrust${n};rport\r\n` +
    `Max-Forwards: 70\r\nFrom: <sip:${from}@127.0.0.1>;tag=t${n}\r\nTo: <sip:101@127.0.0.1>\r\n` +
    `Call-ID: trust-${n}@test\r\nCSeq: 1 INVITE\r\nContact: <sip:${from}@127.0.0.1>\r\nContent-Length: 0\r\n\r\n`
  );
}

/** The first final status Parley answers an INVITE sent over UDP from `socket`. */
function overUdp(socket: Socket, sipPort: number): Promise<number> {
  const port = socket.address().port;
  return new Promise((resolve) => {
    const onMessage = (data: Buffer) => {
      const r = parseMessage(data);
      if (r.ok && r.message.kind === "response" && r.message.status >= 200) {
        socket.off("message", onMessage);
        resolve(r.message.status);
      }
    };
    socket.on("message", onMessage);
    socket.send(invite(sipPort, `UDP 127.0.0.1:${port}`, "office"), sipPort, "127.0.0.1");
  });
}

/** The same over a TCP connection from an ephemeral port (or `localPort`). */
function overTcp(sipPort: number, localPort?: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port: sipPort, host: "127.0.0.1", ...(localPort ? { localPort } : {}) }, () =>
      socket.write(invite(sipPort, `TCP 127.0.0.1:${socket.localPort}`, "office")),
    );
    let text = "";
    socket.on("data", (chunk) => {
      text += chunk.toString("latin1");
      for (const m of text.matchAll(/SIP\/2\.0 (\d{3}) /g)) {
        const status = Number(m[1]);
        if (status >= 200) {
          socket.destroy();
          resolve(status);
          return;
        }
      }
    });
    socket.on("error", reject);
  });
}

describe("a SIP trunk is only the trunk", () => {
  let parley: ParleyProcess;
  let trunkPort: number;
  let extraPort: number;
  let trunk: Socket;
  let sameHostOtherPort: Socket;
  let extra: Socket;

  const open = async (port = 0) => {
    const s = createSocket("udp4");
    await new Promise<void>((r) => s.bind(port, "127.0.0.1", () => r()));
    return s;
  };

  before(async () => {
    parley = await startParley(["--rtp-ports", "47200-47299", "--media-relay", "never"]);
    [trunkPort, extraPort] = await freePorts(2);
    trunk = await open(trunkPort);
    sameHostOtherPort = await open();
    extra = await open(extraPort);
    const res = await parley.api("POST", "/api/v1/sip-trunks", {
      trunkId: "office",
      address: "127.0.0.1",
      port: trunkPort,
      transport: "udp",
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
  });
  after(async () => {
    for (const s of [trunk, sameHostOtherPort, extra]) s?.close();
    await parley?.stop();
  });

  it("takes the trunk's own port over its transport for the trunk (no challenge)", {
    timeout: 20000,
  }, async () => {
    // 101 is not registered: the trunk's call is routed and gets 480, never a challenge.
    assert.equal(await overUdp(trunk, parley.sipPort), 480);
  });

  it("challenges the trunk's address from another UDP port like a stranger", { timeout: 20000 }, async () => {
    assert.equal(await overUdp(sameHostOtherPort, parley.sipPort), 407);
  });

  it("challenges a TCP connection from the trunk's address (a UDP trunk)", { timeout: 20000 }, async () => {
    assert.equal(await overTcp(parley.sipPort), 407);
  });

  it("takes a listed source port, and with trustAddress any port and transport", {
    timeout: 20000,
  }, async () => {
    assert.equal(await overUdp(extra, parley.sipPort), 407);
    const listed = await parley.api("PATCH", "/api/v1/sip-trunks/office", { sourcePorts: [extraPort] });
    assert.equal(listed.status, 200, JSON.stringify(listed.body));
    assert.equal(listed.body.sourcePorts[0], extraPort);
    assert.equal(await overUdp(extra, parley.sipPort), 480);
    assert.equal(await overUdp(sameHostOtherPort, parley.sipPort), 407);
    assert.equal(
      (await parley.api("PATCH", "/api/v1/sip-trunks/office", { trustAddress: true })).status,
      200,
    );
    assert.equal(await overUdp(sameHostOtherPort, parley.sipPort), 480);
    assert.equal(await overTcp(parley.sipPort), 480);
  });
});
