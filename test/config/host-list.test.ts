/**
 * The script-http-allow setting (issue 18: HTTP requests of service scripts "to configured hosts
 * only (off by default)"; src/config/host-list.ts): off by default; from the flag, the
 * environment or the file as every setting; entries are host names or addresses with an optional
 * port, written as the URL parser writes hosts (lower case, punycode, IPv6 in brackets); a bad
 * entry stops start-up naming the setting.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseHostEntry, parseHostList } from "../../src/config/host-list.js";
import { resolveSettings, SettingsError } from "../../src/config/settings.js";

describe("scriptHttpAllow", () => {
  it("is empty (off) by default, and set by flag, environment or file", () => {
    assert.equal(resolveSettings({}).scriptHttpAllow, "");
    const env = { PARLEY_SCRIPT_HTTP_ALLOW: " crm.local , 10.0.0.5:8080 " };
    assert.equal(resolveSettings({ env }).scriptHttpAllow, "crm.local,10.0.0.5:8080");
    assert.equal(resolveSettings({ file: { scriptHttpAllow: "a.b" } }).scriptHttpAllow, "a.b");
    assert.equal(resolveSettings({ env, flags: { scriptHttpAllow: "x.y:81" } }).scriptHttpAllow, "x.y:81");
  });

  it("refuses an entry that is not a host with an optional port, naming the setting", () => {
    for (const bad of [
      "http://crm.local",
      "crm.local/path",
      "crm.local:0",
      "crm.local:70000",
      "a b",
      "user@crm",
    ]) {
      assert.throws(
        () => resolveSettings({ flags: { scriptHttpAllow: bad } }),
        (e: unknown) =>
          e instanceof SettingsError && /scriptHttpAllow \(flag --script-http-allow\)/.test(e.message),
        bad,
      );
    }
  });
});

describe("parseHostEntry()", () => {
  it("writes hosts as URL.hostname does; a port only when given", () => {
    assert.deepEqual(parseHostEntry("CRM.Example.COM"), { hostname: "crm.example.com", port: undefined });
    assert.deepEqual(parseHostEntry("10.0.0.5:8080"), { hostname: "10.0.0.5", port: 8080 });
    assert.deepEqual(parseHostEntry("[::1]:8443"), { hostname: "[::1]", port: 8443 });
    assert.deepEqual(parseHostEntry("[0:0::1]"), { hostname: "[::1]", port: undefined });
    assert.deepEqual(parseHostEntry("bücher.example"), {
      hostname: "xn--bcher-kva.example",
      port: undefined,
    });
    assert.equal(parseHostEntry("::1"), undefined, "IPv6 needs brackets, or its last group reads as a port");
  });

  it("parseHostList() keeps the entries that parse", () => {
    assert.deepEqual(parseHostList("a.b, ,bad/one,c.d:9"), [
      { hostname: "a.b", port: undefined },
      { hostname: "c.d", port: 9 },
    ]);
    assert.deepEqual(parseHostList(""), []);
  });
});
