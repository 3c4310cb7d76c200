/** /api/v1/external-lines, sip-trunks, dialplans, dialplan/* and the dry run, over inject(). */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { auth, type Harness, startHarness } from "../api/fixtures.js";

describe("routing API", () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
    await h.store.users.create((await h.store.domains.getDefault()).id, { name: "100", password: "100" });
  });
  after(() => h.close());

  const call = (method: "GET" | "POST" | "PATCH" | "PUT" | "DELETE", url: string, payload?: object) =>
    h.app.inject({ method, url: `/api/v1${url}`, headers: auth, ...(payload ? { payload } : {}) });

  it("POST /external-lines creates a line, never shows its password, and lists it with its live state", async () => {
    const created = await call("POST", "/external-lines", {
      account: "1234",
      password: "secret",
      server: "127.0.0.1",
      outgoingGroupId: 1,
    });
    assert.equal(created.statusCode, 201, created.body);
    assert.equal(created.headers.location, "/api/v1/external-lines/1234");
    const body = created.json();
    assert.equal(body.password, undefined);
    assert.equal(body.state, "offline");
    assert.equal(body.serverPort, 5060);
    const list = await call("GET", "/external-lines");
    assert.deepEqual(
      list.json().items.map((l: { account: string }) => l.account),
      ["1234"],
    );
  });

  it("a bad body answers 400 naming each field", async () => {
    const res = await call("POST", "/external-lines", {
      account: "x",
      serverPort: 0,
      outboundProxy: { port: 99999 },
    });
    assert.equal(res.statusCode, 400);
    const fields = res
      .json()
      .errors.map((e: { field: string }) => e.field)
      .sort();
    assert.deepEqual(fields, ["outboundProxy.port", "serverPort"]);
  });

  it("a dangling reference answers 400 naming the field", async () => {
    const res = await call("POST", "/dialplan/analyze", {
      prefix: "2",
      routeType: "sip-trunk",
      sipTrunk: "nowhere",
    });
    assert.equal(res.statusCode, 400);
    assert.deepEqual(res.json().errors, [{ field: "sipTrunk", message: 'no SIP trunk "nowhere"' }]);
  });

  it("trunks, transitions, analyze and refine records; the dry run explains every step", async () => {
    assert.equal(
      (await call("POST", "/sip-trunks", { trunkId: "office2", address: "127.0.0.1", port: 5070 }))
        .statusCode,
      201,
    );
    assert.equal(
      (await call("POST", "/dialplan/analyze", { prefix: "2", routeType: "sip-trunk", sipTrunk: "office2" }))
        .statusCode,
      201,
    );
    assert.equal(
      (
        await call("POST", "/dialplan/transitions", {
          id: 1,
          type: "replace",
          start: 0,
          length: 1,
          text: "0086",
        })
      ).statusCode,
      201,
    );
    const refine = await call("POST", "/dialplan/refine", {
      outgoingGroupId: 1,
      prefix: "0",
      transitionId: 1,
    });
    assert.equal(refine.statusCode, 201, refine.body);
    assert.match(refine.headers.location ?? "", /^\/api\/v1\/dialplan\/refine\/\d+$/);

    const out = await call("POST", "/dialplan/test", { caller: "100", number: "9012345" });
    assert.equal(out.statusCode, 200, out.body);
    const plan = out.json();
    assert.deepEqual(plan.route, { kind: "external-line", number: "012345", line: "", outgoingGroupId: 0 });
    assert.deepEqual(
      plan.steps.map((s: { step: string }) => s.step),
      ["analyze", "default"],
    );
    assert.deepEqual(plan.attempts, [
      {
        kind: "line",
        id: "1234",
        number: "008612345",
        refine: {
          step: "refine",
          outgoingGroupId: 1,
          record: { id: JSON.parse(refine.body).id, outgoingGroupId: 1, prefix: "0", transitionId: 1 },
          before: "012345",
          after: "008612345",
        },
      },
    ]);

    const trunk = (await call("POST", "/dialplan/test", { caller: "100", number: "201" })).json();
    assert.equal(trunk.route.kind, "sip-trunk");
    assert.equal(trunk.attempts[0].id, "office2");
    assert.equal(trunk.attempts[0].number, "201");
    assert.equal(trunk.steps[0].record.prefix, "2");
  });

  it("the dry run answers 404 for an unknown caller and 400 for a bad number", async () => {
    assert.equal((await call("POST", "/dialplan/test", { caller: "999", number: "1" })).statusCode, 404);
    const bad = await call("POST", "/dialplan/test", { caller: "100", number: "abc" });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().errors[0].field, "number");
  });

  it("DELETE refuses a row in use (400 naming it) and deletes one that is not", async () => {
    const inUse = await call("DELETE", "/sip-trunks/office2");
    assert.equal(inUse.statusCode, 400);
    assert.match(inUse.json().errors[0].message, /analyze record \d+ routes to it/);
    assert.equal((await call("DELETE", "/external-lines/1234")).statusCode, 204);
    assert.equal((await call("GET", "/external-lines/1234")).statusCode, 404);
  });

  it("PATCH merges and PUT replaces; the key cannot change", async () => {
    const patched = await call("PATCH", "/sip-trunks/office2", {
      maxIncomingCalls: 0,
      description: "Office 2",
    });
    assert.equal(patched.statusCode, 200, patched.body);
    assert.equal(patched.json().maxIncomingCalls, 0);
    assert.equal(patched.json().port, 5070);
    const replaced = await call("PUT", "/sip-trunks/office2", { address: "127.0.0.2" });
    assert.equal(replaced.json().port, 5060);
    assert.equal(replaced.json().description, "");
    const renamed = await call("PATCH", "/sip-trunks/office2", { trunkId: "other" });
    assert.equal(renamed.statusCode, 400);
    assert.equal(renamed.json().errors[0].field, "trunkId");
  });
});
