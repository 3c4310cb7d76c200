import assert from "node:assert/strict";
import { connect } from "node:net";
import { after, before, describe, it } from "node:test";
import { createResponse } from "../../src/sip/index.js";
import type { SipRequest } from "../../src/sip/types.js";
import type { BadMessageContext } from "../../src/transport/options.js";
import type { ReceivedMessage } from "../../src/transport/types.js";
import { type Harness, Inbox, msg, req, requestText, startTransport, tcpPeer } from "./helpers.js";

function request(rx: ReceivedMessage): SipRequest {
  assert.equal(rx.message.kind, "request");
  return rx.message as SipRequest;
}

describe("SipTransportLayer over TCP", () => {
  let h: Harness;
  const bad = new Inbox<BadMessageContext>();

  before(async () => {
    h = await startTransport({
      partialMessageTimeoutMs: 150,
      badMessageLingerMs: 50,
      maxMessageSize: 4096,
      onBadMessage: (ctx) => {
        bad.push(ctx);
        // What the core does: answer the bad request with its status.
        if (ctx.received.message.kind === "request") {
          void h.transport
            .sendResponse(
              createResponse(ctx.received.message, ctx.error.status, ctx.error.reason),
              ctx.received,
            )
            .catch(() => {});
        }
      },
    });
  });
  after(() => h.transport.stop());

  describe("upon several messages split at odd places (RFC 3261 18.3)", () => {
    it("MUST frame each message by Content-Length and pass them up in order on one flow", async () => {
      const peer = await tcpPeer(h.port("TCP"));
      const a = requestText("MESSAGE", "SIP/2.0/TCP 192.0.2.9:5999;branch=z9hG4bK-a", {
        body: "first body\r\n",
      });
      const b = requestText("OPTIONS", "SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bK-b");
      const c = requestText("MESSAGE", "SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bK-c", { body: "third" });
      const all = a + b + c;
      const cuts = [3, a.length - 2, a.length + 1, a.length + 40, a.length + b.length + 7, all.length];
      let from = 0;
      for (const cut of cuts) {
        peer.write(all.slice(from, cut));
        from = cut;
        await new Promise((r) => setImmediate(r));
      }
      const got = [await h.messages.next(), await h.messages.next(), await h.messages.next()];
      assert.deepEqual(
        got.map((rx) => request(rx).topVia?.branch),
        ["z9hG4bK-a", "z9hG4bK-b", "z9hG4bK-c"],
      );
      assert.equal(got[0].message.body.toString("latin1"), "first body\r\n");
      assert.equal(got[2].message.body.toString("latin1"), "third");
      assert.ok(got[0].flowId);
      assert.ok(got.every((rx) => rx.flowId === got[0].flowId && rx.protocol === "TCP"));
      // RFC 3261 18.2.1: received is added on streams too.
      assert.equal(request(got[0]).topVia?.received, "127.0.0.1");
      peer.socket.destroy();
    });
  });

  describe("upon a double-CRLF ping (RFC 5626 3.5.1)", () => {
    it("MUST answer a single CRLF pong and keep the connection", async () => {
      const peer = await tcpPeer(h.port("TCP"));
      peer.write("\r\n\r\n");
      await peer.waitFor((d) => d === "\r\n");
      peer.write(requestText("OPTIONS", "SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bK-afterping"));
      assert.equal(request(await h.messages.next()).topVia?.branch, "z9hG4bK-afterping");
      peer.socket.destroy();
    });
  });

  describe("responses (RFC 3261 18.2.2)", () => {
    it("MUST go back over the connection the request came on", async () => {
      const peer = await tcpPeer(h.port("TCP"));
      peer.write(requestText("OPTIONS", "SIP/2.0/TCP 192.0.2.1:5999;branch=z9hG4bK-resp"));
      const rx = await h.messages.next();
      await h.transport.sendResponse(createResponse(request(rx), 200), rx);
      const text = await peer.waitFor((d) => d.includes("\r\n\r\n"));
      const answer = msg(text);
      assert.equal(answer.kind === "response" && answer.status, 200);
      assert.equal(answer.topVia?.received, "127.0.0.1");
      peer.socket.destroy();
    });

    it("MUST open a connection to received and the sent-by port when the flow has closed", async () => {
      const { createServer } = await import("node:net");
      const server = createServer();
      const got = new Inbox<string>();
      server.on("connection", (s) => {
        let data = "";
        s.on("data", (c: Buffer) => {
          data += c.toString("latin1");
          if (data.includes("\r\n\r\n")) got.push(data);
        });
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const sentByPort = (server.address() as { port: number }).port;
      try {
        const peer = await tcpPeer(h.port("TCP"));
        peer.write(requestText("OPTIONS", `SIP/2.0/TCP 192.0.2.1:${sentByPort};branch=z9hG4bK-reopen`));
        const rx = await h.messages.next();
        peer.socket.destroy();
        await new Promise((r) => setTimeout(r, 30));
        await h.transport.sendResponse(createResponse(request(rx), 486), rx);
        assert.ok((await got.next()).startsWith("SIP/2.0 486"));
      } finally {
        server.close();
      }
    });
  });

  describe("sendRequest() on a flow (RFC 5626 flow reuse)", () => {
    it("MUST reuse the inbound connection named by Destination.flowId", async () => {
      const peer = await tcpPeer(h.port("TCP"));
      peer.write(requestText("REGISTER", "SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bK-reg"));
      const rx = await h.messages.next();
      const out = req(requestText("OPTIONS", "SIP/2.0/UDP placeholder.invalid;branch=z9hG4bK-flow"));
      const result = await h.transport.sendRequest(out, {
        protocol: "TCP",
        address: "127.0.0.1",
        port: 5999,
        flowId: rx.flowId,
      });
      assert.deepEqual(result, { protocol: "TCP", flowId: rx.flowId });
      const text = await peer.waitFor((d) => d.includes("\r\n\r\n"));
      const got = msg(text);
      assert.equal(got.topVia?.transport, "TCP");
      assert.equal(got.topVia?.port, h.port("TCP"));
      peer.socket.destroy();
    });

    it("MUST reuse one outgoing connection for later requests to the same address", async () => {
      const { createServer } = await import("node:net");
      const server = createServer();
      let connections = 0;
      server.on("connection", () => connections++);
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const port = (server.address() as { port: number }).port;
      try {
        const send = (branch: string) =>
          h.transport.sendRequest(req(requestText("OPTIONS", `SIP/2.0/UDP x.invalid;branch=${branch}`)), {
            protocol: "TCP",
            address: "127.0.0.1",
            port,
          });
        const [r1, r2] = await Promise.all([send("z9hG4bK-o1"), send("z9hG4bK-o2")]);
        const r3 = await send("z9hG4bK-o3");
        assert.equal(r1.flowId, r2.flowId);
        assert.equal(r1.flowId, r3.flowId);
        assert.equal(connections, 1);
      } finally {
        server.close();
      }
    });

    it("rejects when the connection is refused", async () => {
      const { createServer } = await import("node:net");
      const server = createServer();
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const port = (server.address() as { port: number }).port;
      await new Promise<void>((resolve) => server.close(() => resolve()));
      const out = req(requestText("OPTIONS", "SIP/2.0/UDP x.invalid;branch=z9hG4bK-refused"));
      await assert.rejects(h.transport.sendRequest(out, { protocol: "TCP", address: "127.0.0.1", port }));
    });
  });

  describe("upon bad input on one connection", () => {
    it("MUST close a connection sending garbage while another keeps working", async () => {
      const good = await tcpPeer(h.port("TCP"));
      const evil = await tcpPeer(h.port("TCP"));
      evil.write("GET / HTTP/1.1\r\nHost: x\r\n\r\nmore garbage");
      await evil.waitClosed();
      good.write(requestText("OPTIONS", "SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bK-good1"));
      assert.equal(request(await h.messages.next()).topVia?.branch, "z9hG4bK-good1");
      good.socket.destroy();
    });

    it("MUST answer 400 to a request without Content-Length, then close (RFC 3261 18.3)", async () => {
      const peer = await tcpPeer(h.port("TCP"));
      const text = requestText("OPTIONS", "SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bK-nocl").replace(
        "Content-Length: 0\r\n",
        "",
      );
      peer.write(text);
      const ctx = await bad.next();
      assert.equal(ctx.error.status, 400);
      assert.equal(ctx.protocol, "TCP");
      await peer.waitFor((d) => d.startsWith("SIP/2.0 400"));
      await peer.waitClosed();
    });

    it("MUST close a connection announcing an oversize message while another keeps working", async () => {
      const good = await tcpPeer(h.port("TCP"));
      const big = await tcpPeer(h.port("TCP"));
      big.write(
        requestText("MESSAGE", "SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bK-big").replace(
          "Content-Length: 0",
          "Content-Length: 100000",
        ),
      );
      const ctx = await bad.next();
      assert.equal(ctx.error.status, 513);
      await big.waitClosed();
      good.write(requestText("OPTIONS", "SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bK-good2"));
      assert.equal(request(await h.messages.next()).topVia?.branch, "z9hG4bK-good2");
      good.socket.destroy();
    });

    it("MUST close a connection whose header section grows past maxMessageSize", async () => {
      const peer = await tcpPeer(h.port("TCP"));
      peer.write(`OPTIONS sip:a@127.0.0.1 SIP/2.0\r\nX-Flood: ${"x".repeat(5000)}`);
      await peer.waitClosed();
    });

    it("MUST close a connection whose partial message does not complete in time", async () => {
      const peer = await tcpPeer(h.port("TCP"));
      const text = requestText("OPTIONS", "SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bK-slow");
      peer.write(text.slice(0, 40));
      const start = Date.now();
      await peer.waitClosed(2_000);
      assert.ok(Date.now() - start >= 100, "closed by the partial-message timer, not at once");
      const closed = h.events.find(
        (e) => e.kind === "connection-close" && e.reason.startsWith("partial message"),
      );
      assert.ok(closed);
    });
  });

  describe("idle timeout", () => {
    it("MUST close a connection that stays silent past idleTimeoutMs", async () => {
      const h2 = await startTransport({ idleTimeoutMs: 100 });
      try {
        const peer = await tcpPeer(h2.port("TCP"));
        await peer.waitClosed(2_000);
        assert.equal(h2.transport.stats.connectionsOpen, 0);
      } finally {
        await h2.transport.stop();
      }
    });
  });
});

describe("SipTransportLayer.stop()", () => {
  it("MUST close listeners and open connections, and be idempotent", async () => {
    const h = await startTransport();
    const peer = await tcpPeer(h.port("TCP"));
    peer.write(requestText("OPTIONS", "SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bK-stop"));
    await h.messages.next();
    const port = h.port("TCP");
    await Promise.all([h.transport.stop(), h.transport.stop()]);
    await h.transport.stop();
    await peer.waitClosed();
    await assert.rejects(
      new Promise<void>((resolve, reject) => {
        const s = connect({ host: "127.0.0.1", port });
        s.once("connect", () => {
          s.destroy();
          resolve();
        });
        s.once("error", reject);
      }),
    );
    const out = req(requestText("OPTIONS", "SIP/2.0/UDP x.invalid;branch=z9hG4bK-after"));
    await assert.rejects(h.transport.sendRequest(out, { protocol: "UDP", address: "127.0.0.1", port: 5060 }));
  });
});
