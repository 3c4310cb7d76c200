/** The media, STUN and NAT settings (issue 6): defaults, sources, and errors naming the setting. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { resolveSettings, SettingsError } from "../../src/config/settings.js";

describe("media settings", () => {
  it("default to RTP 10000-20000, relay auto, one worker, 60 s timeout, STUN 3478, keep-alive 30 s", () => {
    const s = resolveSettings({});
    assert.deepEqual(s.rtpPorts, [10000, 20000]);
    assert.equal(s.mediaRelay, "auto");
    assert.equal(s.mediaWorkers, 1);
    assert.equal(s.mediaTimeout, 60);
    assert.equal(s.mediaAddress, undefined);
    assert.equal(s.stunPort, 3478);
    assert.equal(s.natKeepalive, 30);
  });

  it("take flags and environment", () => {
    const s = resolveSettings({
      env: { PARLEY_RTP_PORTS: "30000-30999", PARLEY_STUN_PORT: "0" },
      flags: { mediaRelay: "always", mediaAddress: "192.0.2.1", mediaWorkers: "2" },
    });
    assert.deepEqual(s.rtpPorts, [30000, 30999]);
    assert.equal(s.stunPort, 0);
    assert.equal(s.mediaRelay, "always");
    assert.equal(s.mediaAddress, "192.0.2.1");
    assert.equal(s.mediaWorkers, 2);
  });

  for (const [flags, named] of [
    [{ rtpPorts: "20000" }, /rtpPorts \(flag --rtp-ports\).*range like 10000-20000/],
    [{ rtpPorts: "20000-10000" }, /rtpPorts .*must lie in 1024-65535/],
    [{ rtpPorts: "100-200" }, /rtpPorts .*must lie in 1024-65535/],
    [{ mediaRelay: "sometimes" }, /mediaRelay \(flag --media-relay\)/],
    [{ mediaAddress: "pbx.example.com" }, /mediaAddress .*must be an IP address/],
    [{ stunPort: "70000" }, /stunPort \(flag --stun-port\)/],
    [{ mediaTimeout: "-1" }, /mediaTimeout/],
  ] as const) {
    it(`refuse ${JSON.stringify(flags)} naming the setting`, () => {
      assert.throws(
        () => resolveSettings({ flags }),
        (e: unknown) => e instanceof SettingsError && named.test(e.message),
      );
    });
  }
});
