/** The routing repository: lines, trunks and dial plan rows, validated fields and references. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type Store, ValidationError } from "../../src/store/index.js";
import { backends, type Location } from "../store/backends.js";

function fieldsOf(error: unknown): string[] {
  assert.ok(error instanceof ValidationError, String(error));
  return error.errors.map((e) => e.field);
}

for (const backend of backends) {
  describe(`routing repository on ${backend.name}`, { skip: backend.skip }, () => {
    let location: Location;
    let store: Store;
    let domainId: number;
    before(async () => {
      location = await backend.fresh();
      store = await location.open();
      await store.migrate();
      domainId = (await store.domains.getDefault()).id;
    });
    after(async () => {
      await store.close();
      await location.drop();
    });

    it("create() fills defaults and get() reads the line back by its account", async () => {
      const line = await store.routing.create(domainId, "line", { account: "1234", server: "127.0.0.1" });
      assert.equal(line.type, 0);
      assert.equal(line.serverPort, 5060);
      assert.equal(line.maxOutgoingCalls, null);
      assert.deepEqual(await store.routing.get(domainId, "line", "1234"), line);
    });

    it("create() names every bad field, nested ones by path", async () => {
      const error = await store.routing
        .create(domainId, "line", {
          account: "bad account",
          serverPort: 70000,
          outboundProxy: { port: "x" },
          extra: 1,
        })
        .catch((e: unknown) => e);
      assert.deepEqual(fieldsOf(error).sort(), ["account", "extra", "outboundProxy.port", "serverPort"]);
    });

    it("create() refuses a dangling reference, naming the field", async () => {
      const cases: Array<[Parameters<Store["routing"]["create"]>[1], object, string]> = [
        ["line", { account: "5678", server: "h", chainTo: "nope" }, "chainTo"],
        ["line", { account: "5678", server: "h", dialPlan: "nope" }, "dialPlan"],
        ["trunk", { trunkId: "t1", address: "127.0.0.1", failoverTrunk: "nope" }, "failoverTrunk"],
        ["analyze", { prefix: "9", routeType: "sip-trunk", sipTrunk: "nope" }, "sipTrunk"],
        ["analyze", { prefix: "9", routeType: "external-line", externalLine: "nope" }, "externalLine"],
        [
          "analyze",
          { prefix: "9", routeType: "local-user", changeNumber: true, transitionId: 3 },
          "transitionId",
        ],
        ["analyze", { prefix: "9", routeType: "reject" }, "rejectStatus"],
        ["analyze", { prefix: "9", routeType: "local-user", dialPlan: "nope" }, "dialPlan"],
        ["refine", { outgoingGroupId: 1, prefix: "0", transitionId: 3 }, "transitionId"],
      ];
      for (const [kind, input, field] of cases) {
        const error = await store.routing.create(domainId, kind, input).catch((e: unknown) => e);
        assert.deepEqual(fieldsOf(error), [field], `${kind} ${JSON.stringify(input)}`);
      }
    });

    it("analyze and refine rows are addressed by id; a duplicate prefix is a conflict", async () => {
      await store.routing.create(domainId, "transition", { id: 1, type: "delete", length: 1 });
      const a = await store.routing.create(domainId, "analyze", {
        prefix: "9",
        routeType: "external-line",
        externalLine: "1234",
        changeNumber: true,
        transitionId: 1,
      });
      assert.equal(typeof a.id, "number");
      assert.deepEqual(await store.routing.get(domainId, "analyze", String(a.id)), a);
      await assert.rejects(
        store.routing.create(domainId, "analyze", { prefix: "9", routeType: "local-user" }),
        /already exists/,
      );
      const updated = await store.routing.update(domainId, "analyze", String(a.id), { callRight: 2 });
      assert.equal(updated.callRight, 2);
      assert.equal(updated.externalLine, "1234");
    });

    it("delete() refuses a row still in use and names what uses it", async () => {
      const error = await store.routing.delete(domainId, "transition", "1").catch((e: unknown) => e);
      assert.match(String(error), /analyze record \d+ applies it/);
      const lineError = await store.routing.delete(domainId, "line", "1234").catch((e: unknown) => e);
      assert.deepEqual(fieldsOf(lineError), ["account"]);
    });

    it("delete() refuses a line a local user has as specific external line", async () => {
      await store.routing.create(domainId, "line", { account: "bound", server: "127.0.0.1" });
      await store.users.create(domainId, { name: "150", password: "150", specificExternalLine: "bound" });
      const error = await store.routing.delete(domainId, "line", "bound").catch((e: unknown) => e);
      assert.match(String(error), /user 150 has it as specific external line/);
      await store.users.delete(domainId, "150");
      assert.equal(await store.routing.delete(domainId, "line", "bound"), true);
    });

    it("update() cannot change the key, merges nested objects, and snapshot() holds every row", async () => {
      const error = await store.routing
        .update(domainId, "line", "1234", { account: "999" })
        .catch((e: unknown) => e);
      assert.deepEqual(fieldsOf(error), ["account"]);
      const line = await store.routing.update(domainId, "line", "1234", {
        outboundProxy: { enabled: true, address: "127.0.0.2" },
      });
      assert.deepEqual(line.outboundProxy, { enabled: true, address: "127.0.0.2", port: 5060 });
      const s = await store.routing.snapshot(domainId);
      assert.equal(s.lines.length, 1);
      assert.equal(s.analyze.length, 1);
      assert.equal(s.transitions.length, 1);
    });

    it("dial plans: default exists implicitly; a user belongs to one plan at most; users must exist", async () => {
      for (const name of ["100", "101"]) await store.users.create(domainId, { name, password: name });
      await assert.rejects(store.routing.create(domainId, "dialplan", { name: "default" }), /already exists/);
      const unknown = await store.routing
        .create(domainId, "dialplan", { name: "ghosts", users: ["100", "999"] })
        .catch((e: unknown) => e);
      assert.deepEqual(fieldsOf(unknown), ["users[1]"]);
      await store.routing.create(domainId, "dialplan", { name: "sales", users: ["100"] });
      const error = await store.routing
        .create(domainId, "dialplan", { name: "support", users: ["101", "100"] })
        .catch((e: unknown) => e);
      assert.deepEqual(fieldsOf(error), ["users[1]"]);
      assert.equal(await store.routing.delete(domainId, "dialplan", "sales"), true);
      assert.equal(await store.routing.delete(domainId, "dialplan", "sales"), false);
    });
  });
}
