/**
 * Script triggers (issue 18, migration 014) on every engine: a trigger is created with defaults
 * (any dial plan, any number, order 0, enabled), survives a reopen, is listed by detection point
 * in lifecycle order, then order, then id; updated and deleted by id; every error names its field
 * (point, script, prefix, order, dialPlan, enabled); a missing trigger is a NotFoundError.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SCRIPT_NAME } from "../../src/scripting/script-files.js";
import {
  NotFoundError,
  SCRIPT_NAME_PATTERN,
  TRIGGER_POINTS,
  validateScriptTrigger,
} from "../../src/store/index.js";
import { validationFields as fields, onEachBackend } from "./backends.js";

describe("validateScriptTrigger()", () => {
  it("accepts a point and a script alone (the defaults fill the rest)", () => {
    assert.deepEqual(validateScriptTrigger({ point: "attempted", script: "screen" }), []);
  });
  it("names each bad field", () => {
    const errors = validateScriptTrigger({
      point: "ringing" as never,
      script: "Bad.Name",
      prefix: "12a",
      order: 10_000,
      dialPlan: "no spaces",
      enabled: "yes" as never,
    });
    assert.deepEqual(errors.map((e) => e.field).sort(), [
      "dialPlan",
      "enabled",
      "order",
      "point",
      "prefix",
      "script",
    ]);
  });
  it("takes * # + in a prefix, orders 0 and 9999, and refuses a fractional or negative order", () => {
    assert.deepEqual(
      validateScriptTrigger({ point: "ended", script: "a", prefix: "*300*#+9", order: 9999 }),
      [],
    );
    assert.deepEqual(validateScriptTrigger({ point: "ended", script: "a", order: 0 }), []);
    assert.deepEqual(
      validateScriptTrigger({ point: "ended", script: "a", order: 1.5 }).map((e) => e.field),
      ["order"],
    );
    assert.deepEqual(
      validateScriptTrigger({ point: "ended", script: "a", order: -1 }).map((e) => e.field),
      ["order"],
    );
    assert.deepEqual(
      validateScriptTrigger({ point: "ended", script: "x".repeat(65) }).map((e) => e.field),
      ["script"],
    );
  });
  it("uses the script folder's name pattern", () => {
    assert.equal(SCRIPT_NAME_PATTERN.source, SCRIPT_NAME.source);
  });
});

onEachBackend("script trigger store", (t) => {
  it("creates a trigger with defaults and keeps it across a reopen", async () => {
    const created = await t.store.scriptTriggers.create(t.domainId, { point: "attempted", script: "card" });
    assert.equal(created.dialPlan, "");
    assert.equal(created.prefix, "");
    assert.equal(created.order, 0);
    assert.equal(created.enabled, true);
    assert.equal(created.domainId, t.domainId);
    assert.ok(created.id > 0);
    await t.reopen();
    assert.deepEqual(await t.store.scriptTriggers.get(t.domainId, created.id), created);
  });

  it("lists by point in lifecycle order, then order, then id", async () => {
    const repo = t.store.scriptTriggers;
    await repo.create(t.domainId, { point: "ended", script: "log" });
    await repo.create(t.domainId, { point: "answered", script: "bill", order: 5 });
    await repo.create(t.domainId, { point: "answered", script: "warn", order: 2 });
    await repo.create(t.domainId, { point: "attempted", script: "screen", order: 0, prefix: "*300*" });
    const list = await repo.list(t.domainId);
    assert.deepEqual(
      list.map((x) => `${x.point}:${x.script}`),
      ["attempted:card", "attempted:screen", "answered:warn", "answered:bill", "ended:log"],
    );
    assert.deepEqual([...TRIGGER_POINTS].slice(0, 1), ["attempted"]);
  });

  it("updates fields by id, leaving the others, and tells its listeners", async () => {
    const repo = t.store.scriptTriggers;
    const heard: number[] = [];
    repo.onChange((d) => heard.push(d));
    const [first] = await repo.list(t.domainId);
    const changed = await repo.update(t.domainId, first!.id, {
      point: "busy",
      dialPlan: "office",
      enabled: false,
      order: 9999,
    });
    assert.equal(changed.point, "busy");
    assert.equal(changed.dialPlan, "office");
    assert.equal(changed.enabled, false);
    assert.equal(changed.order, 9999);
    assert.equal(changed.script, "card");
    assert.deepEqual(await repo.get(t.domainId, first!.id), changed);
    assert.deepEqual(heard, [t.domainId]);
  });

  it("names the field of every error, on create and update; a missing id is NotFoundError", async () => {
    const repo = t.store.scriptTriggers;
    assert.deepEqual(await fields(repo.create(t.domainId, { point: "nope" as never, script: "a" })), [
      "point",
    ]);
    assert.deepEqual(await fields(repo.create(t.domainId, { point: "busy", script: "../etc" })), ["script"]);
    assert.deepEqual(await fields(repo.create(t.domainId, { point: "busy", script: "a", prefix: "1-2" })), [
      "prefix",
    ]);
    const [first] = await repo.list(t.domainId);
    assert.deepEqual(await fields(repo.update(t.domainId, first!.id, { order: 10_000 })), ["order"]);
    await assert.rejects(repo.update(t.domainId, 999_999, { order: 1 }), NotFoundError);
    assert.equal(await repo.get(t.domainId, 999_999), undefined);
  });

  it("deletes by id, once", async () => {
    const repo = t.store.scriptTriggers;
    const before = await repo.list(t.domainId);
    const victim = before[0]!;
    assert.equal(await repo.delete(t.domainId, victim.id), true);
    assert.equal(await repo.delete(t.domainId, victim.id), false);
    assert.deepEqual(
      (await repo.list(t.domainId)).map((x) => x.id),
      before.slice(1).map((x) => x.id),
    );
  });
});
