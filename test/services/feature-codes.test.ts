/**
 * The feature code table (issue 14 and 15): whole codes and codes with an argument, the longest
 * first, and the final `#` raw, escaped as `%23` (RFC 3261 25.1) or missing.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FeatureCodeTable } from "../../src/services/feature-codes.js";

describe("feature code table", () => {
  it("matches whole codes exactly and the longest code first", () => {
    const t = new FeatureCodeTable();
    t.add("*4", "four");
    t.add("*43", "echo-test");
    assert.deepEqual(t.match("*43"), { service: "echo-test", argument: "" });
    assert.deepEqual(t.match("*4"), { service: "four", argument: "" });
    assert.equal(t.match("*430"), undefined);
    assert.equal(t.match("101"), undefined);
  });

  it("passes the argument after a code that takes one, without its final #", () => {
    const t = new FeatureCodeTable();
    t.add("*93", "forward", { argument: true, suffix: "*" });
    assert.deepEqual(t.match("*93*101#"), { service: "forward", argument: "101" });
    assert.deepEqual(t.match("*93*101"), { service: "forward", argument: "101" });
    assert.equal(t.match("*93*"), undefined);
  });

  describe("upon a final # raw, escaped as %23, or missing", () => {
    const t = new FeatureCodeTable();
    t.add("*93", "forward", { argument: true, suffix: "*" });
    t.add("*93", "forward");
    t.add("*78", "dnd-on");

    it("MUST pass the same argument for *93*102#, *93*102%23 and *93*102", () => {
      for (const dialed of ["*93*102#", "*93*102%23", "*93*102"])
        assert.deepEqual(t.match(dialed), { service: "forward", argument: "102" }, dialed);
    });

    it("MUST match a whole code with or without its #: *93#, *93%23, *93", () => {
      for (const dialed of ["*93#", "*93%23", "*93"])
        assert.deepEqual(t.match(dialed), { service: "forward", argument: "" }, dialed);
      for (const dialed of ["*78", "*78#", "*78%23"])
        assert.deepEqual(t.match(dialed), { service: "dnd-on", argument: "" }, dialed);
    });

    it("MUST unescape other escapes too and leave invalid ones literal", () => {
      assert.deepEqual(t.match("%2A93*%2B86101%23"), { service: "forward", argument: "+86101" });
      assert.equal(t.match("*78%2"), undefined);
      assert.equal(t.match("*78##"), undefined);
      assert.equal(t.match("*78%2523"), undefined);
    });
  });

  it("lists an empty code (a setting turned the service off) as off, and removes on request", () => {
    const t = new FeatureCodeTable();
    t.add("", "echo-test");
    assert.deepEqual(
      t.list().map((f) => [f.service, f.code, f.enabled]),
      [["echo-test", "", false]],
    );
    assert.equal(t.match(""), undefined);
    const other = new FeatureCodeTable();
    const remove = other.add("*43", "echo-test");
    remove();
    assert.equal(other.match("*43"), undefined);
    assert.equal(other.list().length, 0);
  });

  describe("configured by the administrator", () => {
    function table(): FeatureCodeTable {
      const t = new FeatureCodeTable();
      t.add("*93", "forward", { argument: true, suffix: "*", description: "forwarding" });
      t.add("*93", "forward");
      t.add("*43", "echo-test");
      return t;
    }

    it("a new code moves every form of the service; the old one stops matching", () => {
      const t = table();
      const f = t.configure("forward", { code: "*72" });
      assert.deepEqual(f.dial, ["*72*<argument>#", "*72#"]);
      assert.equal(f.defaultCode, "*93");
      assert.deepEqual(t.match("*72*101#"), { service: "forward", argument: "101" });
      assert.deepEqual(t.match("*72#"), { service: "forward", argument: "" });
      assert.equal(t.match("*93*101#"), undefined);
      assert.deepEqual(t.changes(), { forward: { code: "*72", enabled: true } });
      t.reset("forward");
      assert.deepEqual(t.changes(), {});
      assert.deepEqual(t.match("*93#"), { service: "forward", argument: "" });
    });

    it("a feature turned off matches nothing, and on again matches", () => {
      const t = table();
      t.configure("echo-test", { enabled: false });
      assert.equal(t.match("*43"), undefined);
      t.configure("echo-test", { enabled: true });
      assert.deepEqual(t.match("*43"), { service: "echo-test", argument: "" });
    });

    it("refuses a bad code, on without a code, and another feature's code, naming the field", () => {
      const t = table();
      const fields = (f: () => void) => {
        try {
          f();
        } catch (e) {
          return (e as { errors: Array<{ field: string; message: string }> }).errors;
        }
        return [];
      };
      assert.equal(fields(() => t.configure("echo-test", { code: "*4a" }))[0]?.field, "code");
      assert.equal(fields(() => t.configure("echo-test", { code: "" }))[0]?.field, "code");
      const clash = fields(() => t.configure("echo-test", { code: "*93" }));
      assert.equal(clash[0]?.field, "code");
      assert.match(clash[0]?.message ?? "", /forward/);
      assert.deepEqual(t.match("*43"), { service: "echo-test", argument: "" }, "nothing changed");
      // Off, a code may be anything valid, even a clash: it matches nothing.
      t.configure("echo-test", { code: "*93", enabled: false });
      assert.deepEqual(t.match("*93#"), { service: "forward", argument: "" });
    });
  });
});
