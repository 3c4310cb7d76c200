import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type FieldError, MAX_DEVICES_DEFAULT, validateUser } from "../../src/store/index.js";

function errorsOf(input: unknown, mode: "create" | "update"): FieldError[] {
  const result = validateUser(input, mode);
  assert.equal(result.ok, false, "expected validation to fail");
  return result.ok ? [] : result.errors;
}

function fields(input: unknown, mode: "create" | "update"): string[] {
  return errorsOf(input, mode).map((e) => e.field);
}

describe("validateUser() in 'create' mode", () => {
  it("with a name and a password, fills every other field with its default", () => {
    const result = validateUser({ name: "100", password: "secret" }, "create");
    assert.ok(result.ok);
    const user = result.value;
    assert.equal(user.password, "secret");
    assert.equal(user.displayName, "");
    assert.equal(user.maxDevices, MAX_DEVICES_DEFAULT);
    assert.equal(user.multiDevice, false);
    assert.deepEqual(user.forwarding.busy, { enabled: false, number: "" });
    assert.deepEqual(user.followMe, { strategy: 0, interval: 20, destinations: ["", "", ""] });
    assert.deepEqual(user.ipAuthorization, []);
    assert.equal(user.maxConcurrentCalls > 0, true, "0 would forbid every call");
  });

  it("without name and password, names both as required", () => {
    assert.deepEqual(errorsOf({}, "create"), [
      { field: "name", message: "is required" },
      { field: "password", message: "is required" },
    ]);
  });

  it("rejects a name with spaces or over 32 characters, and accepts letters, digits, . _ -", () => {
    assert.deepEqual(fields({ name: "1 00", password: "x" }, "create"), ["name"]);
    assert.deepEqual(fields({ name: "1".repeat(33), password: "x" }, "create"), ["name"]);
    assert.ok(validateUser({ name: "alice.b_c-1", password: "x" }, "create").ok);
  });

  it("rejects an empty, too long or non-printable password", () => {
    assert.deepEqual(fields({ name: "100", password: "" }, "create"), ["password"]);
    assert.deepEqual(fields({ name: "100", password: "x".repeat(65) }, "create"), ["password"]);
    assert.deepEqual(fields({ name: "100", password: "a\nb" }, "create"), ["password"]);
  });

  it("names a nested field by its dotted path", () => {
    const input = { name: "100", password: "x", forwarding: { busy: { enabled: true, number: "12a" } } };
    assert.deepEqual(fields(input, "create"), ["forwarding.busy.number"]);
  });

  it("names a list element by its index", () => {
    const input = { name: "100", password: "x", ipAuthorization: ["10.0.0.0/8", "10.0.0.300", "::1/129"] };
    assert.deepEqual(fields(input, "create"), ["ipAuthorization[1]", "ipAuthorization[2]"]);
    const dest = { name: "100", password: "x", followMe: { destinations: ["200", "abc"] } };
    assert.deepEqual(fields(dest, "create"), ["followMe.destinations[1]"]);
  });

  it("accepts an enabled forwarding with no number: the right without a target (issue 15)", () => {
    const input = { name: "100", password: "x", forwarding: { noAnswer: { enabled: true } } };
    const result = validateUser(input, "create");
    assert.ok(result.ok);
    assert.deepEqual(result.value.forwarding.noAnswer, { enabled: true, number: "" });
  });

  it("takes doNotDisturb as a boolean, off by default", () => {
    const created = validateUser({ name: "100", password: "x" }, "create");
    assert.ok(created.ok);
    assert.equal(created.value.doNotDisturb, false);
    assert.deepEqual(fields({ doNotDisturb: "yes" }, "update"), ["doNotDisturb"]);
    assert.deepEqual(validateUser({ doNotDisturb: true }, "update"), {
      ok: true,
      value: { doNotDisturb: true },
    });
  });

  it("accepts dialable numbers with *, # and +", () => {
    const input = {
      name: "100",
      password: "x",
      forwarding: { unconditional: { enabled: true, number: "+49*1#" } },
    };
    assert.ok(validateUser(input, "create").ok);
  });

  it("names an unknown field", () => {
    assert.deepEqual(errorsOf({ name: "100", password: "x", colour: "red" }, "create"), [
      { field: "colour", message: "unknown field" },
    ]);
  });

  it("keeps times and limits to non-negative integers within bounds", () => {
    const input = {
      name: "100",
      password: "x",
      noAnswerTime: -1,
      maxDuration: 1.5,
      maxConcurrentCalls: 100_000,
      callRight: "1",
      maxDevices: 0,
      followMe: { strategy: 3 },
    };
    assert.deepEqual(fields(input, "create").sort(), [
      "callRight",
      "followMe.strategy",
      "maxConcurrentCalls",
      "maxDevices",
      "maxDuration",
      "noAnswerTime",
    ]);
  });

  it("accepts IPv4 and IPv6 addresses and CIDR ranges", () => {
    const input = {
      name: "100",
      password: "x",
      ipAuthorization: ["192.0.2.7", "10.0.0.0/8", "2001:db8::/32", "::1", "0.0.0.0/0"],
    };
    assert.ok(validateUser(input, "create").ok);
  });

  it("checks the e-mail address and the static contact", () => {
    assert.deepEqual(fields({ name: "1", password: "x", email: "nobody" }, "create"), ["email"]);
    assert.deepEqual(fields({ name: "1", password: "x", staticContact: "http://x" }, "create"), [
      "staticContact",
    ]);
    assert.ok(validateUser({ name: "1", password: "x", staticContact: "sip:1@192.0.2.7:5060" }, "create").ok);
  });

  it("rejects input that is not an object", () => {
    assert.deepEqual(fields(null, "create"), [""]);
    assert.deepEqual(fields([], "create"), [""]);
  });
});

describe("validateUser() in 'update' mode", () => {
  it("accepts a partial, nested patch and returns only what was given", () => {
    const result = validateUser({ forwarding: { busy: { number: "200" } }, callWaiting: false }, "update");
    assert.ok(result.ok);
    assert.deepEqual(result.value, { forwarding: { busy: { number: "200" } }, callWaiting: false });
  });

  it("accepts an empty patch", () => {
    assert.ok(validateUser({}, "update").ok);
  });

  it("names the bad field of a patch", () => {
    assert.deepEqual(fields({ followMe: { interval: 0 } }, "update"), ["followMe.interval"]);
  });

  it("requires a password to rename (the digest hashes include the name)", () => {
    assert.deepEqual(fields({ name: "200" }, "update"), ["password"]);
    assert.ok(validateUser({ name: "200", password: "new" }, "update").ok);
  });
});
