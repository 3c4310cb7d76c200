/**
 * Issue 20: the Origin check of SIP WebSocket handshakes (websocket-origin.ts) and the settings
 * that turn SIP over WebSocket on (--sip-ws-port, --sip-wss-port, --ws-origins, startup-ports.ts).
 * The handshake itself is tested on a real transport in ws-transport.test.ts.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { resolveSettings, SettingsError } from "../../src/config/settings.js";
import { listenersFor, portsNeeded } from "../../src/startup-ports.js";
import { isOriginEntry, originAllowed } from "../../src/transport/websocket-origin.js";

describe("originAllowed()", () => {
  it("allows a handshake without Origin (a SIP client that is not a browser)", () => {
    assert.equal(originAllowed(undefined, "pbx.example.com", []), true);
  });
  it("allows the same host, on any port, and refuses another host by default", () => {
    assert.equal(originAllowed("https://pbx.example.com", "pbx.example.com", []), true);
    assert.equal(originAllowed("https://pbx.example.com:8443", "PBX.example.com:5067", []), true);
    assert.equal(originAllowed("http://[::1]:8080", "[::1]:8080", []), true);
    assert.equal(originAllowed("https://evil.example", "pbx.example.com", []), false);
    assert.equal(originAllowed("https://pbx.example.com.evil.example", "pbx.example.com", []), false);
  });
  it("refuses an opaque origin (null) unless * is listed", () => {
    assert.equal(originAllowed("null", "pbx.example.com", []), false);
    assert.equal(originAllowed("null", "pbx.example.com", ["*"]), true);
  });
  it("matches full origins exactly and hosts by host name or host:port", () => {
    const list = ["https://app.example.com", "phone.example.org", "crm.example.net:8443"];
    assert.equal(originAllowed("https://app.example.com", "pbx", list), true);
    assert.equal(originAllowed("https://app.example.com:443", "pbx", list), true);
    assert.equal(originAllowed("http://app.example.com", "pbx", list), false);
    assert.equal(originAllowed("https://phone.example.org:9000", "pbx", list), true);
    assert.equal(originAllowed("https://crm.example.net:8443", "pbx", list), true);
    assert.equal(originAllowed("https://crm.example.net", "pbx", list), false);
  });
  it("isOriginEntry() accepts *, http(s) origins and hosts only", () => {
    for (const ok of [
      "*",
      "https://a.example",
      "http://a.example:8080",
      "a.example",
      "a.example:8443",
      "[::1]:80",
    ])
      assert.equal(isOriginEntry(ok), true, ok);
    for (const bad of ["ftp://a.example", "a example", "https://", "a.example/path", ""])
      assert.equal(isOriginEntry(bad), false, bad);
  });
});

describe("SIP over WebSocket settings", () => {
  it("are off by default: no WS or WSS listener, no extra Origin", () => {
    const s = resolveSettings({});
    assert.equal(s.sipWsPort, 0);
    assert.equal(s.sipWssPort, 0);
    assert.deepEqual(s.wsOrigins, []);
    assert.ok(listenersFor(s).every((l) => l.protocol !== "WS" && l.protocol !== "WSS"));
  });
  it("give WS and WSS listeners on every bound address, probed at start-up with their flags", () => {
    const s = resolveSettings({ flags: { bind: "127.0.0.1,::1", sipWsPort: "5066", sipWssPort: "5067" } });
    const ws = listenersFor(s).filter((l) => l.protocol === "WS" || l.protocol === "WSS");
    assert.deepEqual(ws, [
      { protocol: "WS", address: "127.0.0.1", port: 5066 },
      { protocol: "WSS", address: "127.0.0.1", port: 5067 },
      { protocol: "WS", address: "::1", port: 5066 },
      { protocol: "WSS", address: "::1", port: 5067 },
    ]);
    const need = portsNeeded(s).find((n) => n.port === 5067);
    assert.deepEqual(need && { protocol: need.protocol, flag: need.flag }, {
      protocol: "TCP",
      flag: "--sip-wss-port",
    });
  });
  it("parse --ws-origins as a list, and refuse an entry that is not an origin or host", () => {
    const s = resolveSettings({ env: { PARLEY_WS_ORIGINS: "https://App.example.com, phone.example.org" } });
    assert.deepEqual(s.wsOrigins, ["https://app.example.com", "phone.example.org"]);
    assert.throws(() => resolveSettings({ flags: { wsOrigins: "ftp://x.example" } }), SettingsError);
  });
});
