import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { connect } from "node:tls";
import { createResponse } from "../../src/sip/index.js";
import type { SipRequest } from "../../src/sip/types.js";
import { selfSignedPaths } from "../../src/transport/tls-credentials.js";
import { msg, req, requestText, StreamPeer, startTransport } from "./helpers.js";

async function tlsPeer(port: number): Promise<StreamPeer> {
  const socket = connect({ host: "127.0.0.1", port, rejectUnauthorized: false });
  await new Promise<void>((resolve, reject) => {
    socket.once("secureConnect", resolve);
    socket.once("error", reject);
  });
  return new StreamPeer(socket);
}

describe("SipTransportLayer over TLS", () => {
  let dataDir: string;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "parley-tls-"));
  });
  after(() => rm(dataDir, { recursive: true, force: true }));

  it("MUST generate a self-signed pair under <dataDir>/tls on first start and serve with it", async () => {
    const h = await startTransport({
      listeners: [{ protocol: "TLS", address: "127.0.0.1", port: 0 }],
      dataDir,
    });
    try {
      const paths = selfSignedPaths(dataDir);
      assert.equal((await stat(paths.keyFile)).mode & 0o077, 0, "the key is private to its owner");
      assert.equal(await readFile(paths.certFile, "utf8"), h.transport.tlsCertificate?.cert);
      assert.ok(h.events.some((e) => e.kind === "tls-certificate" && e.generated));

      const peer = await tlsPeer(h.port("TLS"));
      peer.write("\r\n\r\n");
      await peer.waitFor((d) => d === "\r\n");
      peer.write(requestText("OPTIONS", "SIP/2.0/TLS 127.0.0.1:5999;branch=z9hG4bK-tls1"));
      const rx = await h.messages.next();
      assert.equal(rx.protocol, "TLS");
      assert.ok(rx.flowId?.startsWith("tls-"));
      await h.transport.sendResponse(createResponse(rx.message as SipRequest, 200), rx);
      const answer = msg(await peer.waitFor((d) => d.includes("\r\n\r\n", 2)));
      assert.equal(answer.kind === "response" && answer.status, 200);
      peer.socket.destroy();
    } finally {
      await h.transport.stop();
    }
  });

  it("MUST reuse the pair on the second start and send requests over TLS to a peer", async () => {
    const first = await readFile(selfSignedPaths(dataDir).certFile, "utf8");
    const server = await startTransport({
      listeners: [{ protocol: "TLS", address: "127.0.0.1", port: 0 }],
      dataDir,
    });
    const client = await startTransport({
      listeners: [{ protocol: "TLS", address: "127.0.0.1", port: 0 }],
      dataDir,
      tlsVerifyPeer: false,
    });
    try {
      assert.equal(server.transport.tlsCertificate?.cert, first);
      assert.ok(server.events.some((e) => e.kind === "tls-certificate" && !e.generated));
      const out = req(requestText("OPTIONS", "SIP/2.0/UDP x.invalid;branch=z9hG4bK-tlsout"));
      const result = await client.transport.sendRequest(out, {
        protocol: "TLS",
        address: "127.0.0.1",
        port: server.port("TLS"),
      });
      assert.equal(result.protocol, "TLS");
      const rx = await server.messages.next();
      const via = (rx.message as SipRequest).topVia;
      assert.equal(via?.transport, "TLS");
      assert.equal(via?.port, client.port("TLS"));
      // The response rides the same connection back.
      await server.transport.sendResponse(createResponse(rx.message as SipRequest, 200), rx);
      const back = await client.messages.next();
      assert.equal(back.message.kind === "response" && back.message.status, 200);
      assert.equal(back.flowId, result.flowId);
    } finally {
      await Promise.all([server.transport.stop(), client.transport.stop()]);
    }
  });

  it("rejects an outgoing TLS request to a self-signed peer when verification is on", async () => {
    const server = await startTransport({
      listeners: [{ protocol: "TLS", address: "127.0.0.1", port: 0 }],
      dataDir,
    });
    const client = await startTransport({
      listeners: [{ protocol: "TLS", address: "127.0.0.1", port: 0 }],
      dataDir,
    });
    try {
      const out = req(requestText("OPTIONS", "SIP/2.0/UDP x.invalid;branch=z9hG4bK-verify"));
      await assert.rejects(
        client.transport.sendRequest(out, {
          protocol: "TLS",
          address: "127.0.0.1",
          port: server.port("TLS"),
        }),
      );
    } finally {
      await Promise.all([server.transport.stop(), client.transport.stop()]);
    }
  });

  it("rejects when the TLS handshake does not complete within connectTimeoutMs, and when stop() interrupts it", async () => {
    const { createServer } = await import("node:net");
    const silent = createServer(); // accepts TCP, never speaks TLS
    const held: import("node:net").Socket[] = [];
    silent.on("connection", (s) => held.push(s));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const port = (silent.address() as { port: number }).port;
    const client = await startTransport({
      listeners: [{ protocol: "TLS", address: "127.0.0.1", port: 0 }],
      dataDir,
      connectTimeoutMs: 100,
    });
    try {
      const out = () => req(requestText("OPTIONS", "SIP/2.0/UDP x.invalid;branch=z9hG4bK-slowtls"));
      await assert.rejects(
        client.transport.sendRequest(out(), { protocol: "TLS", address: "127.0.0.1", port }),
        /timed out/,
      );
      const pending = client.transport.sendRequest(out(), {
        protocol: "TLS",
        address: "127.0.0.1",
        port: port,
      });
      await new Promise((r) => setTimeout(r, 20));
      await client.transport.stop();
      await assert.rejects(pending);
    } finally {
      await client.transport.stop();
      for (const s of held) s.destroy();
      silent.close();
    }
  });

  it("start() rejects a TLS listener with neither certificate files nor dataDir", async () => {
    await assert.rejects(
      startTransport({ listeners: [{ protocol: "TLS", address: "127.0.0.1", port: 0 }] }),
      /dataDir/,
    );
  });
});
