/**
 * /api/v1/call-lists, /api/v1/call-list-settings and /api/v1/ip-lists over a real SQLite store
 * (issue 16): records created, listed, changed and removed; errors name the field (400), a taken
 * key is a conflict (409), a missing one 404; a change reaches the live service at once (the
 * call list's next verdict, the IP list's matchers).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { createApi } from "../../src/api/index.js";
import { CallLists } from "../../src/services/call-lists/call-lists.js";
import { IpLists } from "../../src/services/ip-lists/ip-lists.js";
import { type Store, storeFromUrl } from "../../src/store/index.js";
import { silentLogger } from "../../src/util/logger.js";
import { baseApiDeps, TOKEN } from "./fixtures.js";

const headers = { authorization: `Bearer ${TOKEN}` };

describe("/api/v1 lists", () => {
  let dir: string;
  let store: Store;
  let app: FastifyInstance;
  let calls: CallLists;
  let ip: IpLists;
  let domainId: number;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "parley-lists-api-"));
    store = await storeFromUrl(undefined, dir);
    await store.migrate();
    domainId = (await store.domains.getDefault()).id;
    calls = new CallLists({
      repository: store.lists,
      settings: store.systemSettings,
      logger: silentLogger(),
    });
    ip = new IpLists({ repository: store.lists, domainId });
    await ip.load();
    app = await createApi({
      ...baseApiDeps(store),
      lists: { calls, ip },
    });
    await app.ready();
  });

  after(async () => {
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("creates, lists, changes and deletes call list records, and the service sees each change", async () => {
    const created = await app.inject({
      method: "POST",
      url: "/api/v1/call-lists",
      headers,
      payload: { callerPrefix: "0086", calledPrefix: "*", kind: "black" },
    });
    assert.equal(created.statusCode, 201);
    const record = created.json<{ id: number; rate: number }>();
    assert.equal(record.rate, 100);
    const context = {
      caller: { domainId, user: "008612", displayName: "" },
      callerUser: undefined,
      inbound: undefined,
      dialed: "100",
      visited: [],
    };
    assert.deepEqual(await calls.verdict(context), { kind: "refuse", code: "list-declined" });
    const patched = await app.inject({
      method: "PATCH",
      url: `/api/v1/call-lists/${record.id}`,
      headers,
      payload: { kind: "white" },
    });
    assert.equal(patched.statusCode, 200);
    assert.equal(await calls.verdict(context), undefined);
    const listed = await app.inject({ method: "GET", url: "/api/v1/call-lists", headers });
    assert.deepEqual(
      listed.json<{ items: Array<{ kind: string }> }>().items.map((r) => r.kind),
      ["white"],
    );
    const conflict = await app.inject({
      method: "POST",
      url: "/api/v1/call-lists",
      headers,
      payload: { callerPrefix: "0086", calledPrefix: "*", kind: "black" },
    });
    assert.equal(conflict.statusCode, 409);
    const deleted = await app.inject({ method: "DELETE", url: `/api/v1/call-lists/${record.id}`, headers });
    assert.equal(deleted.statusCode, 204);
    const again = await app.inject({ method: "DELETE", url: `/api/v1/call-lists/${record.id}`, headers });
    assert.equal(again.statusCode, 404);
  });

  it("names the bad fields of a call list record", async () => {
    const res = await app.inject({
      method: "POST",
      url: "/api/v1/call-lists",
      headers,
      payload: { callerPrefix: "x1", calledPrefix: "1", kind: "grey", rate: 150 },
    });
    assert.equal(res.statusCode, 400);
    const fields = res.json<{ errors: Array<{ field: string }> }>().errors.map((e) => e.field);
    for (const field of ["callerPrefix", "kind", "rate"]) assert.ok(fields.includes(field), field);
  });

  it("reads and sets the answer of a blocked call", async () => {
    const read = await app.inject({ method: "GET", url: "/api/v1/call-list-settings", headers });
    assert.deepEqual(read.json(), { response: 603 });
    const set = await app.inject({
      method: "PUT",
      url: "/api/v1/call-list-settings",
      headers,
      payload: { response: 486 },
    });
    assert.deepEqual(set.json(), { response: 486 });
    const bad = await app.inject({
      method: "PUT",
      url: "/api/v1/call-list-settings",
      headers,
      payload: { response: 500 },
    });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json<{ errors: Array<{ field: string }> }>().errors[0]?.field, "response");
  });

  it("creates, changes and deletes IP list entries, applied at once", async () => {
    const created = await app.inject({
      method: "POST",
      url: "/api/v1/ip-lists",
      headers,
      payload: { address: "127.0.0.2", kind: "reject" },
    });
    assert.equal(created.statusCode, 201);
    assert.equal(ip.rejects("127.0.0.2"), true);
    const { id } = created.json<{ id: number }>();
    const patched = await app.inject({
      method: "PATCH",
      url: `/api/v1/ip-lists/${id}`,
      headers,
      payload: { kind: "accept" },
    });
    assert.equal(patched.statusCode, 200);
    assert.equal(ip.rejects("127.0.0.2"), false);
    assert.equal(ip.accepts("127.0.0.2"), true);
    const bad = await app.inject({
      method: "POST",
      url: "/api/v1/ip-lists",
      headers,
      payload: { address: "127.0.0.0/40", kind: "reject" },
    });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json<{ errors: Array<{ field: string }> }>().errors[0]?.field, "address");
    const listed = await app.inject({ method: "GET", url: "/api/v1/ip-lists", headers });
    assert.equal(listed.json<{ items: unknown[] }>().items.length, 1);
    assert.equal(
      (await app.inject({ method: "DELETE", url: `/api/v1/ip-lists/${id}`, headers })).statusCode,
      204,
    );
    assert.equal(ip.accepts("127.0.0.2"), false);
    assert.equal(
      (await app.inject({ method: "DELETE", url: `/api/v1/ip-lists/${id}`, headers })).statusCode,
      404,
    );
  });
});
