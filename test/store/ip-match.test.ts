import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { computeHa1, IpMatcher, normalizeIp, parseIpRange } from "../../src/store/index.js";

describe("parseIpRange()", () => {
  it("reads a single address as a full-length prefix", () => {
    assert.deepEqual(parseIpRange("192.0.2.7"), { family: "ipv4", address: "192.0.2.7", prefix: 32 });
    assert.deepEqual(parseIpRange("2001:db8::1"), { family: "ipv6", address: "2001:db8::1", prefix: 128 });
  });

  it("reads CIDR ranges", () => {
    assert.deepEqual(parseIpRange("10.0.0.0/8"), { family: "ipv4", address: "10.0.0.0", prefix: 8 });
    assert.deepEqual(parseIpRange("2001:db8::/32"), { family: "ipv6", address: "2001:db8::", prefix: 32 });
  });

  it("rejects malformed entries", () => {
    for (const bad of [
      "",
      "10.0.0",
      "10.0.0.256",
      "10.0.0.0/33",
      "::/129",
      "10.0.0.0/",
      "10.0.0.0/a",
      "host",
      "1.2.3.4/8/8",
    ]) {
      assert.equal(parseIpRange(bad), undefined, bad);
    }
  });
});

describe("IpMatcher", () => {
  const matcher = new IpMatcher(["192.0.2.7", "10.1.0.0/16", "2001:db8::/32"]);

  it("matches an exact address, an address inside a range, and an IPv6 range", () => {
    assert.equal(matcher.matches("192.0.2.7"), true);
    assert.equal(matcher.matches("10.1.200.3"), true);
    assert.equal(matcher.matches("2001:db8:1::5"), true);
  });

  it("does not match addresses outside", () => {
    assert.equal(matcher.matches("192.0.2.8"), false);
    assert.equal(matcher.matches("10.2.0.1"), false);
    assert.equal(matcher.matches("2001:db9::1"), false);
    assert.equal(matcher.matches("not-an-ip"), false);
  });

  it("treats an IPv4-mapped IPv6 peer as its IPv4 address", () => {
    assert.equal(normalizeIp("::ffff:10.1.2.3"), "10.1.2.3");
    assert.equal(matcher.matches("::ffff:10.1.2.3"), true);
  });

  it("with no entries matches nothing", () => {
    assert.equal(new IpMatcher([]).matches("127.0.0.1"), false);
  });
});

describe("computeHa1()", () => {
  it("is MD5 and SHA-256 of name:realm:password (RFC 7616 3.4.2)", () => {
    // printf '100:parley:100' | md5sum ; ... | sha256sum
    assert.deepEqual(computeHa1("100", "parley", "100"), {
      ha1Md5: "0e8e412361d8d8a48c8b462b8ae254e2",
      ha1Sha256: "78e0b01e817eae8a39f577f4271fdffa3de2b7fcb3539a7a4af0b08bd6372755",
    });
  });
});
