import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  challengeValue,
  digestEquals,
  expectedResponse,
  ha1,
  parseAlgorithm,
  parseCredentials,
} from "../../src/auth/digest.js";
import { NonceManager } from "../../src/auth/nonces.js";
import { VirtualClock } from "../../src/util/clock.js";

// RFC 7616 3.9.1: the worked example, with MD5 and with SHA-256.
const example = {
  username: "Mufasa",
  realm: "http-auth@example.org",
  password: "Circle of Life",
  method: "GET",
  uri: "/dir/index.html",
  nonce: "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
  cnonce: "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
  nc: "00000001",
};

describe("digest arithmetic (RFC 7616 3.9.1 example)", () => {
  for (const [algorithm, want] of [
    ["MD5", "8ca523f5e9506fed4657c9700eebdbec"],
    ["SHA-256", "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"],
  ] as const) {
    it(`computes the ${algorithm} response of the RFC's example`, () => {
      const got = expectedResponse({
        algorithm,
        ha1: ha1(algorithm, example.username, example.realm, example.password),
        method: example.method,
        uri: example.uri,
        nonce: example.nonce,
        qop: "auth",
        nc: example.nc,
        cnonce: example.cnonce,
      });
      assert.equal(got, want);
    });
  }
  it("HA1 of the default user 100 in realm parley is MD5('100:parley:100')", () => {
    // Computed independently: printf '100:parley:100' | md5sum
    assert.equal(ha1("MD5", "100", "parley", "100"), "0e8e412361d8d8a48c8b462b8ae254e2");
  });
});

describe("parseCredentials()", () => {
  it("reads quoted and token parameters, unescaping quoted-pairs", () => {
    const c = parseCredentials(
      'Digest username="100", realm="parley", nonce="abc", uri="sip:127.0.0.1", response="0123", algorithm=SHA-256, cnonce="x\\"y", qop=auth, nc=00000001',
    );
    assert.ok(c);
    assert.equal(c.scheme, "Digest");
    assert.equal(c.username, "100");
    assert.equal(c.algorithm, "SHA-256");
    assert.equal(c.cnonce, 'x"y');
    assert.equal(c.qop, "auth");
    assert.equal(c.nc, "00000001");
  });
  it("refuses an unterminated quote and a repeated parameter", () => {
    assert.equal(parseCredentials('Digest username="100'), undefined);
    assert.equal(parseCredentials('Digest username="1", username="2"'), undefined);
  });
  it("reads an unknown scheme without failing (RFC 4475 3.3.7)", () => {
    assert.equal(parseCredentials("NoOneKnowsThisScheme opaque-data=here")?.scheme, "NoOneKnowsThisScheme");
  });
});

describe("algorithms and challenges", () => {
  it("maps an absent algorithm to MD5 and refuses unknown ones (RFC 7616 3.3)", () => {
    assert.equal(parseAlgorithm(undefined), "MD5");
    assert.equal(parseAlgorithm("sha-256"), "SHA-256");
    assert.equal(parseAlgorithm("SHA-512-256"), undefined);
  });
  it("builds a challenge with qop=auth and stale=true when asked", () => {
    const v = challengeValue({ realm: "parley", nonce: "n", algorithm: "SHA-256", stale: true });
    assert.equal(v, 'Digest realm="parley", nonce="n", algorithm=SHA-256, qop="auth", stale=true');
  });
  it("compares digests in constant time, case-insensitively", () => {
    assert.ok(digestEquals("ABCDEF", "abcdef"));
    assert.ok(!digestEquals("abcdef", "abcdee"));
    assert.ok(!digestEquals("abc", "abcd"));
  });
});

describe("NonceManager", () => {
  it("accepts its own fresh nonce, for the realm it was issued for only", () => {
    const n = new NonceManager({ clock: new VirtualClock() });
    const nonce = n.issue("parley");
    assert.equal(n.check(nonce, "parley"), "valid");
    assert.equal(n.check(nonce, "other"), "invalid");
    assert.equal(n.check(nonce.slice(0, -2) + "AA", "parley"), "invalid");
    assert.equal(n.check("garbage", "parley"), "invalid");
  });
  it("calls a nonce past its lifetime stale (RFC 7616 3.3 stale=true)", () => {
    const clock = new VirtualClock();
    const n = new NonceManager({ clock, lifetimeMs: 30_000 });
    const nonce = n.issue("parley");
    clock.advance(30_001);
    assert.equal(n.check(nonce, "parley"), "stale");
  });
  it("refuses a nonce-count that does not increase (replay)", () => {
    const n = new NonceManager({ clock: new VirtualClock() });
    const nonce = n.issue("r");
    assert.ok(n.acceptCount(nonce, "00000001"));
    assert.ok(!n.acceptCount(nonce, "00000001"));
    assert.ok(n.acceptCount(nonce, "00000002"));
    assert.ok(!n.acceptCount(nonce, "0000001"), "nc is exactly 8 hex digits");
  });
  it("refuses a replay after 250,000 other authentications (issue 22: the old table forgot it)", () => {
    const n = new NonceManager({ clock: new VirtualClock() });
    const captured = n.issue("r");
    assert.ok(n.acceptCount(captured, "00000001"));
    for (let i = 0; i < 250_000; i++) n.acceptCount(n.issue("r"), "00000001");
    assert.ok(!n.acceptCount(captured, "00000001"), "nc 1 again");
    assert.ok(!n.acceptCount(captured, undefined), "no qop: one use only");
  });
  it("calls a nonce whose slot a newer one took stale, never accepting it", () => {
    const n = new NonceManager({ clock: new VirtualClock(), slots: 16 });
    const old = n.issue("r");
    for (let i = 0; i < 16; i++) n.issue("r");
    assert.equal(n.check(old, "r"), "valid", "still within its lifetime and signed");
    assert.ok(!n.acceptCount(old, "00000001"), "but its count is gone: re-challenge");
    const fresh = n.issue("r");
    assert.ok(n.acceptCount(fresh, "00000001"));
  });
  it("holds a fixed amount of memory whatever the rate (a challenge flood costs nothing more)", () => {
    const n = new NonceManager({ clock: new VirtualClock(), slots: 1 << 10 });
    const before = n.memoryBytes;
    for (let i = 0; i < 10_000; i++) n.acceptCount(n.issue("r"), "00000001");
    assert.equal(n.memoryBytes, before);
    assert.equal(before, 8 * 1024);
  });
});
