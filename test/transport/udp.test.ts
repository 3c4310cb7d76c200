import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createResponse } from "../../src/sip/index.js";
import type { SipRequest } from "../../src/sip/types.js";
import type { BadMessageContext } from "../../src/transport/options.js";
import { missingCapability } from "../helpers/run-tool.js";
import {
  type Harness,
  Inbox,
  ipv6Available,
  msg,
  req,
  requestText,
  startTransport,
  tcpPeer,
  udpPeer,
} from "./helpers.js";

function asRequest(m: { message: unknown }): SipRequest {
  const message = (m as { message: SipRequest }).message;
  assert.equal(message.kind, "request");
  return message;
}

describe("SipTransportLayer over UDP", () => {
  let h: Harness;
  const bad = new Inbox<BadMessageContext>();

  before(async () => {
    h = await startTransport({ onBadMessage: (ctx) => bad.push(ctx) });
  });
  after(() => h.transport.stop());

  describe("upon a request whose Via has rport without a value (RFC 3581 4)", () => {
    it("MUST set rport to the source port and add received even when sent-by matches", async () => {
      const peer = await udpPeer();
      try {
        peer.send(
          requestText("OPTIONS", `SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK-r1;rport`),
          h.port("UDP"),
        );
        const rx = await h.messages.next();
        const via = asRequest(rx).topVia!;
        assert.equal(via.rport, peer.port);
        assert.equal(via.received, "127.0.0.1");
        assert.equal(rx.protocol, "UDP");
        assert.deepEqual(rx.source, { address: "127.0.0.1", port: peer.port });
        assert.equal(rx.local.port, h.port("UDP"));
        assert.equal(rx.flowId, undefined);

        // RFC 3581 4: the response goes to received:rport, i.e. the real source port, not 5999.
        await h.transport.sendResponse(createResponse(asRequest(rx), 200), rx);
        const answer = msg((await peer.inbox.next()).toString("latin1"));
        assert.equal(answer.kind === "response" && answer.status, 200);
        assert.equal(answer.topVia?.rport, peer.port);
      } finally {
        peer.socket.close();
      }
    });
  });

  describe("upon a request whose sent-by differs from the source (RFC 3261 18.2.1)", () => {
    it("MUST add received and send the response to received with the sent-by port", async () => {
      const peer = await udpPeer();
      try {
        peer.send(
          requestText("OPTIONS", `SIP/2.0/UDP 192.0.2.7:${peer.port};branch=z9hG4bK-r2`),
          h.port("UDP"),
        );
        const rx = await h.messages.next();
        const via = asRequest(rx).topVia!;
        assert.equal(via.received, "127.0.0.1");
        assert.equal(via.rport, undefined);
        await h.transport.sendResponse(createResponse(asRequest(rx), 404), rx);
        const answer = msg((await peer.inbox.next()).toString("latin1"));
        assert.equal(answer.kind === "response" && answer.status, 404);
      } finally {
        peer.socket.close();
      }
    });

    it("MUST NOT add received when sent-by is the source address", async () => {
      const peer = await udpPeer();
      try {
        peer.send(
          requestText("OPTIONS", `SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bK-r3`),
          h.port("UDP"),
        );
        const rx = await h.messages.next();
        assert.equal(asRequest(rx).topVia?.received, undefined);
        await h.transport.sendResponse(createResponse(asRequest(rx), 200), rx);
        assert.ok((await peer.inbox.next()).toString("latin1").startsWith("SIP/2.0 200"));
      } finally {
        peer.socket.close();
      }
    });
  });

  describe("upon malformed datagrams", () => {
    it("MUST hand an answerable bad request to onBadMessage, drop garbage, and keep serving", async () => {
      const peer = await udpPeer();
      try {
        const droppedBefore = h.transport.stats.dropped;
        peer.send("\x16\x03\x01garbage that is no SIP", h.port("UDP"));
        peer.send("HELLO THERE\r\n\r\n", h.port("UDP"));
        peer.send(
          requestText("OPTIONS", `SIP/2.0/UDP 192.0.2.1:5999;branch=z9hG4bK-bad;rport`).replace(
            "Max-Forwards: 70",
            "Max-Forwards: lots",
          ),
          h.port("UDP"),
        );
        const ctx = await bad.next();
        assert.equal(ctx.protocol, "UDP");
        assert.equal(ctx.error.status, 400);
        assert.equal(ctx.error.answerable, true);
        // The partial request is stamped like any other, so the 400 can be routed (RFC 3581 4).
        assert.equal(ctx.received.message.topVia?.rport, peer.port);
        assert.equal(ctx.received.message.topVia?.received, "127.0.0.1");
        await h.transport.sendResponse(
          createResponse(ctx.received.message as SipRequest, ctx.error.status, ctx.error.reason),
          ctx.received,
        );
        assert.ok((await peer.inbox.next()).toString("latin1").startsWith("SIP/2.0 400"));
        peer.send(
          requestText("OPTIONS", `SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bK-ok`),
          h.port("UDP"),
        );
        const rx = await h.messages.next();
        assert.equal(asRequest(rx).topVia?.branch, "z9hG4bK-ok");
        assert.ok(h.transport.stats.dropped >= droppedBefore + 2);
      } finally {
        peer.socket.close();
      }
    });

    it("MUST answer a request whose top Via does not parse to the request's source (RFC 3581 4)", async () => {
      const peer = await udpPeer();
      try {
        // RFC 4475 3.1.2.1 badinv01: empty Via parameters make the Via unparsable.
        peer.send(requestText("OPTIONS", "SIP/2.0/UDP 192.0.2.15;;,;,,"), h.port("UDP"));
        const ctx = await bad.next();
        assert.equal(ctx.error.status, 400);
        assert.equal(ctx.error.answerable, true);
        assert.equal(ctx.received.message.topVia, undefined);
        await h.transport.sendResponse(
          createResponse(ctx.received.message as SipRequest, ctx.error.status, ctx.error.reason),
          ctx.received,
        );
        const answer = (await peer.inbox.next()).toString("latin1");
        assert.ok(answer.startsWith("SIP/2.0 400"));
        // The Via is copied as received so the peer can match the response.
        assert.ok(answer.includes("\r\nVia: SIP/2.0/UDP 192.0.2.15;;,;,,\r\n"));
      } finally {
        peer.socket.close();
      }
    });

    it("MUST drop a request without any Via", async () => {
      const peer = await udpPeer();
      try {
        const droppedBefore = h.transport.stats.dropped;
        const badBefore = h.transport.stats.badMessages;
        peer.send(
          requestText("OPTIONS", "SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK-novia").replace(
            /Via: [^\r]*\r\n/,
            "",
          ),
          h.port("UDP"),
        );
        peer.send(
          requestText("OPTIONS", `SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bK-after`),
          h.port("UDP"),
        );
        const rx = await h.messages.next();
        assert.equal(asRequest(rx).topVia?.branch, "z9hG4bK-after");
        assert.equal(h.transport.stats.dropped, droppedBefore + 1);
        assert.equal(h.transport.stats.badMessages, badBefore);
      } finally {
        peer.socket.close();
      }
    });

    it("MUST survive a message handler that throws", async () => {
      const peer = await udpPeer();
      const errors = h.events.length;
      h.transport.onMessage(() => {
        throw new Error("boom");
      });
      try {
        peer.send(
          requestText("OPTIONS", `SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bK-t1`),
          h.port("UDP"),
        );
        await new Promise<void>((resolve) => {
          const poll = setInterval(() => {
            if (h.events.slice(errors).some((e) => e.kind === "error")) {
              clearInterval(poll);
              resolve();
            }
          }, 5);
        });
      } finally {
        h.transport.onMessage((m) => h.messages.push(m));
      }
      peer.send(
        requestText("OPTIONS", `SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bK-t2`),
        h.port("UDP"),
      );
      assert.equal(asRequest(await h.messages.next()).topVia?.branch, "z9hG4bK-t2");
      peer.socket.close();
    });
  });

  describe("sendRequest() over UDP (RFC 3261 18.1.1)", () => {
    it("MUST fill the top Via transport and sent-by with the listener's address and port", async () => {
      const peer = await udpPeer();
      try {
        const request = req(
          requestText("OPTIONS", "SIP/2.0/UDP placeholder.invalid;branch=z9hG4bK-s1;rport"),
        );
        const result = await h.transport.sendRequest(request, {
          protocol: "UDP",
          address: "127.0.0.1",
          port: peer.port,
        });
        assert.deepEqual(result, { protocol: "UDP", flowId: undefined });
        const got = msg((await peer.inbox.next()).toString("latin1"));
        assert.equal(got.topVia?.transport, "UDP");
        assert.equal(got.topVia?.host, "127.0.0.1");
        assert.equal(got.topVia?.port, h.port("UDP"));
        assert.equal(got.topVia?.branch, "z9hG4bK-s1");
        assert.equal(got.topVia?.rport, null);
      } finally {
        peer.socket.close();
      }
    });

    it("MUST send a request over 1300 bytes over TCP and say so, Via updated to TCP", async () => {
      // The peer listens on TCP; it receives the request on a new connection.
      const { createServer } = await import("node:net");
      const server = createServer();
      const received = new Inbox<string>();
      server.on("connection", (s) => {
        let data = "";
        s.on("data", (c: Buffer) => {
          data += c.toString("latin1");
          if (data.length > 1300 && data.includes("\r\n\r\n")) received.push(data);
        });
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const port = (server.address() as { port: number }).port;
      try {
        const body = "v=0\r\n" + "a=x-padding:0123456789\r\n".repeat(70);
        const request = req(
          requestText("INVITE", "SIP/2.0/UDP placeholder.invalid;branch=z9hG4bK-big", { body }),
        );
        const result = await h.transport.sendRequest(request, {
          protocol: "UDP",
          address: "127.0.0.1",
          port,
        });
        assert.equal(result.protocol, "TCP");
        assert.ok(result.flowId);
        const got = msg(await received.next());
        assert.equal(got.topVia?.transport, "TCP");
        assert.equal(got.topVia?.port, h.port("TCP"));
        assert.equal(got.body.length, Buffer.byteLength(body));
      } finally {
        server.close();
      }
    });

    it("falls back to UDP when the peer refuses the TCP connection (NOTE in the code)", async () => {
      const peer = await udpPeer();
      try {
        const body = "a=pad\r\n".repeat(250);
        const request = req(
          requestText("MESSAGE", "SIP/2.0/UDP placeholder.invalid;branch=z9hG4bK-fb", { body }),
        );
        const result = await h.transport.sendRequest(request, {
          protocol: "UDP",
          address: "127.0.0.1",
          port: peer.port,
        });
        assert.equal(result.protocol, "UDP");
        const got = msg((await peer.inbox.next()).toString("latin1"));
        assert.equal(got.topVia?.transport, "UDP");
      } finally {
        peer.socket.close();
      }
    });

    it("rejects a destination that is not an IP literal", async () => {
      const request = req(requestText("OPTIONS", "SIP/2.0/UDP x.invalid;branch=z9hG4bK-n"));
      await assert.rejects(
        h.transport.sendRequest(request, { protocol: "UDP", address: "example.com", port: 5060 }),
      );
    });
  });

  describe("sendResponse() with maddr (RFC 3261 18.2.2)", () => {
    it("MUST send to maddr with the sent-by port", async () => {
      const peer = await udpPeer();
      const other = await udpPeer();
      try {
        peer.send(
          requestText("OPTIONS", `SIP/2.0/UDP 127.0.0.1:${other.port};branch=z9hG4bK-m;maddr=127.0.0.1`),
          h.port("UDP"),
        );
        const rx = await h.messages.next();
        await h.transport.sendResponse(createResponse(asRequest(rx), 200), rx);
        assert.ok((await other.inbox.next()).toString("latin1").startsWith("SIP/2.0 200"));
        assert.equal(peer.inbox.size, 0);
      } finally {
        peer.socket.close();
        other.socket.close();
      }
    });
  });
});

describe("SipTransportLayer over IPv6", () => {
  it("MUST receive on ::1 and route the response back with rport", async (t) => {
    const missing = missingCapability(await ipv6Available(), "::1 cannot be bound on this host");
    if (missing) {
      t.skip(missing);
      return;
    }
    const h = await startTransport({
      listeners: [
        { protocol: "UDP", address: "::1", port: 0 },
        { protocol: "TCP", address: "::1", port: 0 },
      ],
    });
    const peer = await udpPeer(6);
    try {
      peer.send(requestText("OPTIONS", "SIP/2.0/UDP [::1]:5999;branch=z9hG4bK-v6;rport"), h.port("UDP"));
      const rx = await h.messages.next();
      assert.equal(rx.source.address, "::1");
      assert.equal(asRequest(rx).topVia?.rport, peer.port);
      await h.transport.sendResponse(createResponse(asRequest(rx), 200), rx);
      assert.ok((await peer.inbox.next()).toString("latin1").startsWith("SIP/2.0 200"));

      const request = req(requestText("OPTIONS", "SIP/2.0/UDP x.invalid;branch=z9hG4bK-v6out"));
      await h.transport.sendRequest(request, { protocol: "UDP", address: "::1", port: peer.port });
      const got = msg((await peer.inbox.next()).toString("latin1"));
      assert.equal(got.topVia?.host, "[::1]");

      const tcp = await tcpPeer(h.port("TCP"), "::1");
      tcp.write(requestText("OPTIONS", "SIP/2.0/TCP [::1]:5999;branch=z9hG4bK-v6tcp"));
      const rx2 = await h.messages.next();
      assert.equal(rx2.protocol, "TCP");
      await h.transport.sendResponse(createResponse(asRequest(rx2), 200), rx2);
      await tcp.waitFor((d) => d.startsWith("SIP/2.0 200"));
      tcp.socket.destroy();
    } finally {
      peer.socket.close();
      await h.transport.stop();
    }
  });
});
