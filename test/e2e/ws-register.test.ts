/**
 * End to end (issue 20): a SIP over WebSocket client (RFC 7118, written in ws-sip-client.ts like a
 * browser's SIP stack) registers as 100 with digest to a real `parley start`, over WS and WSS on
 * the standalone ports (--sip-ws-port, --sip-wss-port) and over the web server's /sip path (HTTP
 * and HTTPS, once src/server.ts wires SipWebSocketPath); a sipp caller's INVITE reaches it over
 * its WebSocket, answered and hung up; closing the socket removes its registration at once
 * (once src/server.ts wires removeFlow). A client without the sip subprotocol is refused.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { freePorts } from "../helpers/ports.js";
import { missingTool } from "../helpers/run-tool.js";
import { passed, uac } from "../helpers/sipp-phones.js";
import { refusedStatus, WsPeer } from "../transport/ws-helpers.js";
import { ANSWER_SDP, WsSipClient } from "./ws-sip-client.js";

const serverSource = readFileSync(new URL("../../src/server.ts", import.meta.url), "utf8");
const pathWired = serverSource.includes("SipWebSocketPath")
  ? false
  : "src/server.ts does not wire the web server's /sip path yet";
const flowCloseWired = serverSource.includes("removeFlow")
  ? false
  : "src/server.ts does not drop a closed WebSocket's bindings yet";
const noSipp = missingTool("sipp");
const TLS = { rejectUnauthorized: false };

async function registrationsOf(parley: ParleyProcess, user: string): Promise<Array<Record<string, unknown>>> {
  const res = await parley.api("GET", "/api/v1/registrations");
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const items: Array<Record<string, unknown>> = res.body.items ?? res.body;
  return items.filter((b) => b.user === user);
}

/** Polls until `test` holds (the registrar acts on a close event, not on the test's clock). */
async function until(test: () => Promise<boolean>, what: string, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await test())) {
    if (Date.now() > deadline) assert.fail(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("SIP over WebSocket, end to end", () => {
  let parley: ParleyProcess;
  let ws: number;
  let wss: number;
  let https: number;
  before(async () => {
    [ws, wss, https] = await freePorts(3);
    parley = await startParley([
      ...["--sip-ws-port", String(ws), "--sip-wss-port", String(wss), "--https-port", String(https)],
    ]);
  });
  after(async () => {
    await parley.stop();
  });

  it("refuses a client without the sip subprotocol at the handshake", async () => {
    assert.equal(await refusedStatus(WsPeer.connect(`ws://127.0.0.1:${ws}/`, [])), 400);
  });

  for (const [name, url] of [
    ["WS on --sip-ws-port", () => `ws://127.0.0.1:${ws}/`],
    ["WSS on --sip-wss-port", () => `wss://127.0.0.1:${wss}/`],
  ] as const) {
    it(`registers 100 with digest over ${name}, and unregisters`, async () => {
      const client = await WsSipClient.connect(url(), TLS);
      const ok = await client.register("100", "100", "127.0.0.1");
      assert.equal(ok.status, 200, ok.serialize().toString());
      const bound = await registrationsOf(parley, "100");
      assert.ok(bound.some((b) => String(b.contactUri ?? b.contact).includes(client.host)));
      const gone = await client.register("100", "100", "127.0.0.1", 0);
      assert.equal(gone.status, 200);
      client.close();
    });
  }

  describe("over the web server's /sip path", { skip: pathWired }, () => {
    for (const [name, url] of [
      ["HTTP", () => `ws://127.0.0.1:${parley.httpPort}/sip`],
      ["HTTPS", () => `wss://127.0.0.1:${https}/sip`],
    ] as const) {
      it(`registers 100 with digest over ${name}`, async () => {
        const client = await WsSipClient.connect(url(), TLS);
        const ok = await client.register("100", "100", "127.0.0.1");
        assert.equal(ok.status, 200, ok.serialize().toString());
        await client.register("100", "100", "127.0.0.1", 0);
        client.close();
      });
    }
    it("refuses other upgrade paths", async () => {
      await assert.rejects(WsPeer.connect(`ws://127.0.0.1:${parley.httpPort}/other`));
    });
  });

  it("a sipp caller's INVITE reaches 100 over its WebSocket; answered, then BYE over it", {
    skip: noSipp,
  }, async () => {
    const client = await WsSipClient.connect(`wss://127.0.0.1:${wss}/`, TLS);
    assert.equal((await client.register("100", "100", "127.0.0.1")).status, 200);
    const caller = uac(parley, "101", "100", "call-uac-bye.xml");
    const invite = await client.nextRequest("INVITE", 15_000);
    assert.match(invite.getAll("via")[0] ?? "", /^SIP\/2\.0\/WSS /);
    client.respond(invite, 180, "Ringing");
    client.respond(invite, 200, "OK", ANSWER_SDP);
    await client.nextRequest("ACK");
    const bye = await client.nextRequest("BYE", 15_000);
    client.respond(bye, 200, "OK");
    passed(await caller, "caller", parley);
    await client.register("100", "100", "127.0.0.1", 0);
    client.close();
  });

  it("closing the WebSocket removes its registration at once", { skip: flowCloseWired }, async () => {
    const client = await WsSipClient.connect(`ws://127.0.0.1:${ws}/`);
    assert.equal((await client.register("100", "100", "127.0.0.1", 3600)).status, 200);
    const mine = async () =>
      (await registrationsOf(parley, "100")).filter((b) =>
        String(b.contactUri ?? b.contact).includes(client.host),
      );
    assert.equal((await mine()).length, 1);
    client.peer.ws.terminate();
    await until(async () => (await mine()).length === 0, "the binding of the closed WebSocket is gone");
  });
});
