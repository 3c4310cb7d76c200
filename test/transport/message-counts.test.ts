/**
 * Issue 23, what GET /metrics reads from the transport: `messages` counts each SIP message
 * received (parsed) and sent (handed to a socket without error) over UDP and TCP, requests by
 * method and responses by their CSeq method and status; a retransmitted response counts again;
 * an unknown method counts as "other".
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createResponse } from "../../src/sip/index.js";
import type { SipRequest } from "../../src/sip/types.js";
import { methodSlot, responseSlot } from "../../src/transport/message-counts.js";
import { type Harness, req, requestText, startTransport, tcpPeer, udpPeer } from "./helpers.js";

const noErrors = { onTransportError: () => {} };

describe("SipTransportLayer.messages", () => {
  let h: Harness;
  before(async () => {
    h = await startTransport();
  });
  after(() => h.transport.stop());

  it("counts a UDP request in, its response out (each retransmission too), a request out", async () => {
    const m = h.transport.messages;
    const peer = await udpPeer();
    try {
      peer.send(requestText("OPTIONS", "SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK-c1;rport"), h.port("UDP"));
      peer.send(
        requestText("FROBNICATE", "SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK-c2;rport"),
        h.port("UDP"),
      );
      const rx = await h.messages.next();
      await h.messages.next();
      assert.equal(m.in.requests[methodSlot("OPTIONS")], 1);
      assert.equal(m.in.requests[methodSlot("other")], 1, "an unknown method is 'other'");
      const sent = h.transport.transmitResponse(createResponse(rx.message as SipRequest, 200), rx, noErrors);
      await peer.inbox.next();
      sent.resend();
      await peer.inbox.next();
      assert.equal(m.out.responses[responseSlot("OPTIONS", 200)], 2, "sent and resent");
      const options = req(requestText("OPTIONS", "SIP/2.0/UDP 0.0.0.0;branch=z9hG4bK-c3"));
      await h.transport.sendRequest(options, { protocol: "UDP", address: "127.0.0.1", port: peer.port });
      await peer.inbox.next();
      assert.equal(m.out.requests[methodSlot("OPTIONS")], 1);
    } finally {
      peer.socket.close();
    }
  });

  it("counts a TCP request in and its response out", async () => {
    const m = h.transport.messages;
    const before = m.out.responses[responseSlot("REGISTER", 401)]!;
    const peer = await tcpPeer(h.port("TCP"));
    try {
      peer.write(requestText("REGISTER", "SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bK-t1"));
      const rx = await h.messages.next();
      assert.equal(m.in.requests[methodSlot("REGISTER")], 1);
      await h.transport.sendResponse(createResponse(rx.message as SipRequest, 401), rx);
      assert.equal(m.out.responses[responseSlot("REGISTER", 401)], before + 1);
      await peer.waitFor((text) => text.includes("SIP/2.0 401"));
    } finally {
      peer.socket.destroy();
    }
  });
});
