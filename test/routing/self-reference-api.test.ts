/**
 * Issue 23: an external line or a SIP trunk pointing at Parley itself is refused by the REST API
 * with 400 naming the field (server, outboundProxy.address, address) and saying it points at this
 * Parley: on create (POST) and on change (PATCH). "Itself" is one of the server's SIP listeners,
 * handed to the API where it is composed (RoutingLive.listeners): on a wildcard address it is
 * reached at 127.0.0.1, ::1, localhost and any of the machine's addresses; on one address only
 * there. Another port of this machine (a provider or peer beside Parley) stays allowed. The
 * running server's wiring (its transport's listeners) is covered in test/e2e/route-explainer.test.ts.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { networkInterfaces, tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { createApi } from "../../src/api/index.js";
import { offlineRouting } from "../../src/api/routes/routing.js";
import { type Store, storeFromUrl } from "../../src/store/index.js";
import { auth, baseApiDeps } from "../api/fixtures.js";

const listeners = [
  { protocol: "UDP", address: "0.0.0.0", port: 5060 },
  { protocol: "TCP", address: "0.0.0.0", port: 5060 },
  { protocol: "TLS", address: "0.0.0.0", port: 5061 },
  { protocol: "UDP", address: "::1", port: 5062 },
];
/** An address of this machine other than a loopback one, when it has one. */
const machine = Object.values(networkInterfaces())
  .flatMap((l) => l ?? [])
  .find((a) => !a.internal && a.family === "IPv4")?.address;

describe("a line or trunk pointing at this Parley (REST API)", () => {
  let dir: string;
  let store: Store;
  let app: FastifyInstance;
  const post = (path: string, payload: object) =>
    app.inject({ method: "POST", url: `/api/v1/${path}`, headers: auth, payload });
  const refused = (res: { statusCode: number; json(): unknown; body: string }, field: string, at: string) => {
    assert.equal(res.statusCode, 400, res.body);
    const errors = (res.json() as { errors: Array<{ field: string; message: string }> }).errors;
    assert.equal(errors.length, 1, res.body);
    assert.equal(errors[0]?.field, field);
    assert.match(errors[0]?.message ?? "", /^points at this Parley \(it listens for SIP over /);
    assert.ok(errors[0]?.message.includes(at), errors[0]?.message);
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "parley-self-ref-"));
    store = await storeFromUrl(undefined, dir);
    await store.migrate();
    const d = (await store.domains.getDefault()).id;
    app = await createApi({
      ...baseApiDeps(store),
      routing: { ...offlineRouting(store, d), listeners: () => listeners },
    });
    await app.ready();
  });
  after(async () => {
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("a line whose server is 127.0.0.1, localhost or ::1 at Parley's SIP port: 400 naming server", async () => {
    refused(
      await post("external-lines", { account: "a1", server: "127.0.0.1" }),
      "server",
      "UDP on 0.0.0.0:5060",
    );
    refused(
      await post("external-lines", { account: "a2", server: "localhost", serverPort: 5060 }),
      "server",
      "0.0.0.0:5060",
    );
    refused(
      await post("external-lines", { account: "a3", server: "::1", transport: "tcp" }),
      "server",
      "TCP on 0.0.0.0:5060",
    );
    refused(
      await post("external-lines", {
        account: "a4",
        server: "127.0.0.1",
        serverPort: 5061,
        transport: "tls",
      }),
      "server",
      "TLS",
    );
  });

  it("a line at one of the machine's own addresses at Parley's port: 400", async (t) => {
    if (machine === undefined) return t.skip("this machine has no address but loopback");
    refused(await post("external-lines", { account: "m1", server: machine }), "server", "0.0.0.0:5060");
  });

  it("a listener on one address only is that address: ::1 port 5062, not 127.0.0.1 port 5062", async () => {
    refused(
      await post("external-lines", { account: "v6", server: "[::1]", serverPort: 5062 }),
      "server",
      "[::1]:5062",
    );
    const other = await post("external-lines", { account: "v4", server: "127.0.0.1", serverPort: 5062 });
    assert.equal(other.statusCode, 201, other.body);
  });

  it("an outbound proxy pointing at Parley: 400 naming outboundProxy.address", async () => {
    refused(
      await post("external-lines", {
        account: "p1",
        server: "sip.provider.example",
        outboundProxy: { enabled: true, address: "127.0.0.1", port: 5060 },
      }),
      "outboundProxy.address",
      "0.0.0.0:5060",
    );
  });

  it("a provider on another port of this machine, or over another transport, is allowed", async () => {
    for (const [account, fields] of [
      ["ok1", { server: "127.0.0.1", serverPort: 5070 }],
      ["ok2", { server: "127.0.0.1", serverPort: 5061 }],
      ["ok3", { server: "sip.provider.example" }],
    ] as const) {
      const res = await post("external-lines", { account, ...fields });
      assert.equal(res.statusCode, 201, `${account}: ${res.body}`);
    }
  });

  it("changing a line to point at Parley (PATCH) is refused too, and the line is unchanged", async () => {
    const res = await app.inject({
      method: "PATCH",
      url: "/api/v1/external-lines/ok1",
      headers: auth,
      payload: { serverPort: 5060 },
    });
    refused(res, "server", "0.0.0.0:5060");
    const shown = await app.inject({ method: "GET", url: "/api/v1/external-lines/ok1", headers: auth });
    assert.equal(shown.json().serverPort, 5070);
  });

  it("a trunk whose address is Parley's: 400 naming address; another port is allowed", async () => {
    refused(
      await post("sip-trunks", { trunkId: "t1", address: "localhost", port: 5060 }),
      "address",
      "0.0.0.0:5060",
    );
    const ok = await post("sip-trunks", { trunkId: "t2", address: "127.0.0.1", port: 5080 });
    assert.equal(ok.statusCode, 201, ok.body);
    const patched = await app.inject({
      method: "PATCH",
      url: "/api/v1/sip-trunks/t2",
      headers: auth,
      payload: { port: 5060 },
    });
    refused(patched, "address", "0.0.0.0:5060");
  });
});
