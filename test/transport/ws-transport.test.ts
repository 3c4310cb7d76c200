/**
 * SIP over WebSocket (RFC 7118) on a real SipTransportLayer with `ws` clients on 127.0.0.1:
 * the handshake (sip subprotocol required, Origin allow-list, source filter), one SIP message per
 * WebSocket message, responses over the request's connection (RFC 7118 5), oversized messages
 * (close 1009), malformed frames, bad SIP, requests to a WebSocket flow (open and closed), WSS, and
 * the upgrade entry the admin web server uses. Not here: idle timeouts (ws-idle.test.ts), Parley's
 * registrar over WebSocket (test/e2e/ws-register.test.ts).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createResponse } from "../../src/sip/index.js";
import type { SipRequest } from "../../src/sip/types.js";
import type { BadMessageContext } from "../../src/transport/options.js";
import { TransportError } from "../../src/transport/transport-error.js";
import type { ReceivedMessage } from "../../src/transport/types.js";
import { type Harness, Inbox, req, requestText, startTransport, tcpPeer, wire } from "./helpers.js";
import { refusedStatus, WsPeer } from "./ws-helpers.js";

function request(rx: ReceivedMessage): SipRequest {
  assert.equal(rx.message.kind, "request");
  return rx.message as SipRequest;
}

/** Answer `rx` with `status` over the transport, as the transaction layer would. */
function answer(h: Harness, rx: ReceivedMessage, status = 200): Promise<void> {
  return h.transport.sendResponse(createResponse(request(rx), status, "OK"), rx);
}

describe("SipTransportLayer over WebSocket (RFC 7118)", () => {
  let h: Harness;
  let url: string;
  const bad = new Inbox<BadMessageContext>();
  const dataDir = mkdtempSync(join(tmpdir(), "parley-ws-"));

  before(async () => {
    h = await startTransport({
      listeners: [
        { protocol: "UDP", address: "127.0.0.1", port: 0 },
        { protocol: "WS", address: "127.0.0.1", port: 0 },
        { protocol: "WSS", address: "127.0.0.1", port: 0 },
      ],
      dataDir,
      maxMessageSize: 4096,
      badMessageLingerMs: 100,
      wsOrigins: ["https://app.example.com", "softphone.example.org"],
      onBadMessage: (ctx) => {
        bad.push(ctx);
        void h.transport
          .sendResponse(
            createResponse(ctx.received.message as SipRequest, ctx.error.status, ctx.error.reason),
            ctx.received,
          )
          .catch(() => {});
      },
    });
    url = `ws://127.0.0.1:${h.port("WS")}/`;
  });
  after(async () => {
    await h.transport.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  describe("the handshake", () => {
    it("MUST refuse a client that does not offer the sip subprotocol, with 400 and no flow", async () => {
      const opened = h.transport.stats.connectionsOpened;
      assert.equal(await refusedStatus(WsPeer.connect(url, [])), 400);
      assert.equal(await refusedStatus(WsPeer.connect(url, ["chat"])), 400);
      assert.equal(h.transport.stats.connectionsOpened, opened);
      assert.ok(h.events.some((e) => e.kind === "drop" && /sip WebSocket subprotocol/.test(e.reason)));
    });

    it("accepts a client offering sip among others and selects sip", async () => {
      const peer = await WsPeer.connect(url, ["chat", "sip"]);
      assert.equal(peer.ws.protocol, "sip");
      peer.ws.close();
    });

    it("allows no Origin, the same host, and the allow-list; refuses other origins with 403", async () => {
      const host = { origin: "http://127.0.0.1:1234" };
      (await WsPeer.connect(url, ["sip"], host)).ws.close();
      (await WsPeer.connect(url, ["sip"], { origin: "https://app.example.com" })).ws.close();
      (await WsPeer.connect(url, ["sip"], { origin: "http://softphone.example.org" })).ws.close();
      assert.equal(
        await refusedStatus(WsPeer.connect(url, ["sip"], { origin: "https://evil.example" })),
        403,
      );
      assert.equal(
        await refusedStatus(WsPeer.connect(url, ["sip"], { origin: "https://app.example.com:8443" })),
        403,
      );
      assert.equal(await refusedStatus(WsPeer.connect(url, ["sip"], { origin: "null" })), 403);
    });

    it("MUST close a connection from a rejected source (bans, black list) before the handshake", async () => {
      h.transport.setSourceFilter((address) => address === "127.0.0.1");
      try {
        await assert.rejects(WsPeer.connect(url));
      } finally {
        h.transport.setSourceFilter(undefined);
      }
      (await WsPeer.connect(url)).ws.close();
    });
  });

  describe("upon SIP messages", () => {
    it("MUST take one SIP message per WebSocket message, text or binary, on one flow", async () => {
      const peer = await WsPeer.connect(url);
      peer.send(requestText("OPTIONS", "SIP/2.0/WS df7jal23ls0d.invalid;branch=z9hG4bK-w1"));
      peer.send(
        Buffer.from(
          requestText("MESSAGE", "SIP/2.0/WS df7jal23ls0d.invalid;branch=z9hG4bK-w2", { body: "hi" }),
        ),
        true,
      );
      // A message in fragments (RFC 6455 5.4) is still one message.
      const text = requestText("OPTIONS", "SIP/2.0/WS df7jal23ls0d.invalid;branch=z9hG4bK-w3");
      peer.ws.send(text.slice(0, 40), { fin: false });
      peer.ws.send(text.slice(40), { fin: true });
      const got = [await h.messages.next(), await h.messages.next(), await h.messages.next()];
      assert.deepEqual(
        got.map((rx) => request(rx).topVia?.branch),
        ["z9hG4bK-w1", "z9hG4bK-w2", "z9hG4bK-w3"],
      );
      assert.ok(got.every((rx) => rx.protocol === "WS" && rx.flowId === got[0].flowId));
      assert.equal(got[1].message.body.toString(), "hi");
      // RFC 3261 18.2.1: the .invalid sent-by gets received.
      assert.equal(request(got[0]).topVia?.received, "127.0.0.1");
      peer.ws.close();
    });

    it("MUST answer a REGISTER over the same connection, in a text frame (RFC 7118 5)", async () => {
      const peer = await WsPeer.connect(url);
      peer.send(
        requestText("REGISTER", "SIP/2.0/WS df7jal23ls0d.invalid;branch=z9hG4bK-reg", {
          extra: "Contact: <sip:alice@df7jal23ls0d.invalid;transport=ws>\r\n",
        }),
      );
      const rx = await h.messages.next();
      await answer(h, rx);
      const frame = await peer.inbox.next();
      assert.equal(frame.binary, false);
      assert.match(frame.text, /^SIP\/2\.0 200 OK\r\n/);
      assert.match(frame.text, /branch=z9hG4bK-reg/);
      peer.ws.close();
    });

    it("answers a double-CRLF keep-alive with one CRLF (RFC 5626 3.5.1) and passes nothing up", async () => {
      const peer = await WsPeer.connect(url);
      peer.send("\r\n\r\n");
      assert.equal((await peer.inbox.next()).text, "\r\n");
      assert.equal(h.messages.size, 0);
      peer.ws.close();
    });

    it("answers a malformed but answerable request 400 over the connection and keeps it open", async () => {
      const peer = await WsPeer.connect(url);
      peer.send(
        wire(
          "OPTIONS sip:bob@127.0.0.1 SIP/2.0\nVia: SIP/2.0/WS x.invalid;branch=z9hG4bK-bad\nMax-Forwards: many\n" +
            "From: <sip:a@127.0.0.1>;tag=1\nTo: <sip:bob@127.0.0.1>\nCall-ID: bad-1\nCSeq: 1 OPTIONS\nContent-Length: 0\n\n",
        ),
      );
      const ctx = await bad.next();
      assert.equal(ctx.protocol, "WS");
      assert.match((await peer.inbox.next()).text, /^SIP\/2\.0 400 /);
      peer.send(requestText("OPTIONS", "SIP/2.0/WS x.invalid;branch=z9hG4bK-after-bad"));
      assert.equal(request(await h.messages.next()).topVia?.branch, "z9hG4bK-after-bad");
      peer.ws.close();
    });

    it("drops a message that does not parse at all, keeping the connection", async () => {
      const peer = await WsPeer.connect(url);
      const dropped = h.transport.stats.dropped;
      peer.send("this is not SIP");
      peer.send(requestText("OPTIONS", "SIP/2.0/WS x.invalid;branch=z9hG4bK-after-garbage"));
      assert.equal(request(await h.messages.next()).topVia?.branch, "z9hG4bK-after-garbage");
      assert.equal(h.transport.stats.dropped, dropped + 1);
      peer.ws.close();
    });
  });

  describe("upon bad WebSocket input", () => {
    it("MUST close with 1009 a message over the maximum message size", async () => {
      const peer = await WsPeer.connect(url);
      peer.send("x".repeat(5000));
      assert.equal(await peer.waitClosed(), 1009);
      assert.equal(h.messages.size, 0);
    });

    it("closes a connection sending malformed frames, while another client keeps working", async () => {
      const good = await WsPeer.connect(url);
      const raw = await tcpPeer(h.port("WS"));
      raw.write(
        "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: sip\r\n\r\n",
      );
      await raw.waitFor((d) => d.startsWith("HTTP/1.1 101 "));
      // Reserved bits and opcode set, unmasked: a protocol error (RFC 6455 5.2).
      raw.socket.write(Buffer.from([0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 1]));
      await raw.waitClosed();
      good.send(requestText("OPTIONS", "SIP/2.0/WS x.invalid;branch=z9hG4bK-still-good"));
      const rx = await h.messages.next();
      assert.equal(request(rx).topVia?.branch, "z9hG4bK-still-good");
      await answer(h, rx);
      assert.match((await good.inbox.next()).text, /^SIP\/2\.0 200 /);
      good.ws.close();
    });
  });

  describe("requests to a WebSocket client", () => {
    it("go over its flow, with Parley's Via naming WS and the listener's port", async () => {
      const peer = await WsPeer.connect(url);
      peer.send(requestText("REGISTER", "SIP/2.0/WS abc.invalid;branch=z9hG4bK-r2"));
      const rx = await h.messages.next();
      const invite = req(requestText("INVITE", "SIP/2.0/UDP placeholder;branch=z9hG4bK-out1"));
      const result = await h.transport.sendRequest(invite, {
        protocol: "WS",
        address: rx.source.address,
        port: rx.source.port,
        flowId: rx.flowId,
      });
      assert.deepEqual(result, { protocol: "WS", flowId: rx.flowId });
      const frame = await peer.inbox.next();
      assert.match(frame.text, /^INVITE sip:bob@127\.0\.0\.1 SIP\/2\.0\r\n/);
      assert.match(
        frame.text,
        new RegExp(`Via: SIP/2\\.0/WS 127\\.0\\.0\\.1:${h.port("WS")};branch=z9hG4bK-out1`),
      );
      peer.ws.close();
    });

    it("MUST fail at once when the flow has closed (Parley never dials a WebSocket client)", async () => {
      const peer = await WsPeer.connect(url);
      peer.send(requestText("REGISTER", "SIP/2.0/WS abc.invalid;branch=z9hG4bK-r3"));
      const rx = await h.messages.next();
      const closedEvent = new Promise<void>((resolve) => {
        const off = h.transport.onConnectionClose((e) => {
          if (e.flowId !== rx.flowId) return;
          off();
          resolve();
        });
      });
      peer.ws.close();
      await closedEvent;
      const invite = req(requestText("INVITE", "SIP/2.0/UDP placeholder;branch=z9hG4bK-out2"));
      const destination = { protocol: "WS" as const, address: rx.source.address, port: rx.source.port };
      await assert.rejects(
        h.transport.sendRequest(invite, { ...destination, flowId: rx.flowId }),
        TransportError,
      );
      await assert.rejects(h.transport.sendRequest(invite, destination), TransportError);
      // A response to a request whose connection is gone is dropped, counted, and reported.
      const dropped = h.transport.stats.dropped;
      await assert.rejects(answer(h, rx), TransportError);
      assert.equal(h.transport.stats.dropped, dropped + 1);
    });
  });

  describe("over WSS", () => {
    it("registers over TLS with the transport's certificate and answers on the same connection", async () => {
      const peer = await WsPeer.connect(`wss://127.0.0.1:${h.port("WSS")}/`, ["sip"], {
        rejectUnauthorized: false,
      });
      peer.send(requestText("REGISTER", "SIP/2.0/WSS abc.invalid;branch=z9hG4bK-wss"));
      const rx = await h.messages.next();
      assert.equal(rx.protocol, "WSS");
      await answer(h, rx);
      assert.match((await peer.inbox.next()).text, /^SIP\/2\.0 200 /);
      peer.ws.close();
    });
  });

  describe("handleUpgrade() from a web server of Parley's own", () => {
    it("carries SIP over the web server's connection with the same handshake rules", async () => {
      const web = createServer((_req, res) => res.end("page"));
      web.on("upgrade", (upgrade, socket, head) => h.transport.handleUpgrade(upgrade, socket, head, false));
      await new Promise<void>((resolve) => web.listen(0, "127.0.0.1", resolve));
      const port = (web.address() as AddressInfo).port;
      try {
        assert.equal(await refusedStatus(WsPeer.connect(`ws://127.0.0.1:${port}/sip`, [])), 400);
        const peer = await WsPeer.connect(`ws://127.0.0.1:${port}/sip`);
        peer.send(requestText("OPTIONS", "SIP/2.0/WS abc.invalid;branch=z9hG4bK-web"));
        const rx = await h.messages.next();
        assert.equal(rx.protocol, "WS");
        assert.equal(rx.local.port, port);
        await answer(h, rx);
        assert.match((await peer.inbox.next()).text, /^SIP\/2\.0 200 /);
        peer.ws.close();
        await peer.waitClosed();
      } finally {
        await new Promise<void>((resolve) => web.close(() => resolve()));
      }
    });
  });
});
