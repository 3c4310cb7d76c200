import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { envName, resolveSettings, SettingsError } from "../../src/config/settings.js";

describe("resolveSettings()", () => {
  it("gives the embedded defaults with no sources", () => {
    const s = resolveSettings({});
    assert.deepEqual(s.bind, ["0.0.0.0", "::"]);
    assert.equal(s.sipPort, 5060);
    assert.equal(s.sipTcpPort, 5060);
    assert.equal(s.sipTlsPort, 5061);
    assert.equal(s.dataDir, "./data");
    assert.equal(s.sipTrace, false);
    assert.equal(s.timerT1, 500);
  });

  it("takes flag over environment over file", () => {
    const s = resolveSettings({
      file: { sipPort: 5070, logLevel: "debug", dataDir: "/f" },
      env: { PARLEY_SIP_PORT: "5080", PARLEY_DATA_DIR: "/e" },
      flags: { sipPort: "5090" },
    });
    assert.equal(s.sipPort, 5090);
    assert.equal(s.dataDir, "/e");
    assert.equal(s.logLevel, "debug");
    assert.equal(s.sipTcpPort, 5090, "TCP follows the SIP port unless set");
  });

  it("names the setting and its source when a value is bad", () => {
    assert.throws(
      () => resolveSettings({ env: { PARLEY_SIP_PORT: "70000" } }),
      (e: Error) => e instanceof SettingsError && /sipPort \(environment PARLEY_SIP_PORT\)/.test(e.message),
    );
    assert.throws(() => resolveSettings({ flags: { logLevel: "loud" } }), /logLevel \(flag --log-level\)/);
    assert.throws(
      () => resolveSettings({ file: { bind: "not an ip" }, fileName: "p.json" }),
      /bind \(p\.json key "bind"\)/,
    );
  });

  it("refuses an unknown key in the config file, naming it", () => {
    assert.throws(
      () => resolveSettings({ file: { sipPrt: 1 }, fileName: "p.json" }),
      /unknown setting "sipPrt" in p\.json/,
    );
  });

  it("accepts --sip-trace as a bare flag and PARLEY_SIP_TRACE=on", () => {
    assert.equal(resolveSettings({ flags: { sipTrace: true } }).sipTrace, true);
    assert.equal(resolveSettings({ env: { PARLEY_SIP_TRACE: "on" } }).sipTrace, true);
    assert.equal(resolveSettings({ env: { PARLEY_SIP_TRACE: "off" } }).sipTrace, false);
  });

  it("derives PARLEY_ names from keys", () => {
    assert.equal(envName("sipTlsPort"), "PARLEY_SIP_TLS_PORT");
  });
});
