/**
 * Issue 23, the media relay's default address: which of the host's addresses a peer reaches
 * Parley on (src/transport/local-address.ts), the address each leg's SDP then names, and the
 * start-up warning for a configured media address that is not the machine's (src/media-address.ts).
 * Pure: the host's interfaces are a fixture.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { bindAddressFor } from "../../src/call/media-plane.js";
import { mediaAddresses } from "../../src/media-address.js";
import {
  type InterfaceAddress,
  LocalAddresses,
  localAddressFacing,
} from "../../src/transport/local-address.js";

const HOST: InterfaceAddress[] = [
  { address: "127.0.0.1", family: 4, prefix: 8, internal: true },
  { address: "::1", family: 6, prefix: 128, internal: true },
  { address: "192.0.2.2", family: 4, prefix: 24, internal: false },
  { address: "10.1.0.9", family: 4, prefix: 16, internal: false },
  { address: "10.1.2.3", family: 4, prefix: 24, internal: false },
  { address: "fd00::2", family: 6, prefix: 64, internal: false },
];

describe("localAddressFacing()", () => {
  it("a loopback peer reaches Parley on the loopback of its family", () => {
    assert.equal(localAddressFacing("127.0.0.1", HOST), "127.0.0.1");
    assert.equal(localAddressFacing("127.0.0.5", HOST), "127.0.0.1");
    assert.equal(localAddressFacing("::1", HOST), "::1");
    assert.equal(localAddressFacing("[::1]", HOST), "::1");
  });
  it("a peer on one of the host's own addresses is faced by that address", () => {
    assert.equal(localAddressFacing("192.0.2.2", HOST), "192.0.2.2");
    assert.equal(localAddressFacing("fd00::2", HOST), "fd00::2");
  });
  it("a LAN peer is faced by the interface whose subnet holds it, the longest prefix first", () => {
    assert.equal(localAddressFacing("192.0.2.40", HOST), "192.0.2.2");
    assert.equal(localAddressFacing("10.1.2.77", HOST), "10.1.2.3");
    assert.equal(localAddressFacing("10.1.7.7", HOST), "10.1.0.9");
    assert.equal(localAddressFacing("fd00::99", HOST), "fd00::2");
  });
  it("a peer beyond every subnet is faced by the first global address of its family", () => {
    assert.equal(localAddressFacing("203.0.113.9", HOST), "192.0.2.2");
    assert.equal(localAddressFacing("2001:db8::1", HOST), "fd00::2");
  });
  it("an IPv4-mapped peer (a dual-stack socket's report) counts as IPv4", () => {
    assert.equal(localAddressFacing("::ffff:127.0.0.1", HOST), "127.0.0.1");
    assert.equal(localAddressFacing("::ffff:192.0.2.40", HOST), "192.0.2.2");
  });
  it("no answer for a host name, or a family the host has no address of", () => {
    assert.equal(localAddressFacing("pbx.example.com", HOST), undefined);
    const v4only = HOST.filter((i) => i.family === 4 && !i.internal);
    assert.equal(localAddressFacing("2001:db8::1", v4only), undefined);
  });
});

describe("LocalAddresses", () => {
  it("reads the interfaces again once the cache is older than its ttl", () => {
    let now = 0;
    let reads = 0;
    let list: InterfaceAddress[] = [{ address: "192.0.2.2", family: 4, prefix: 24, internal: false }];
    const addresses = new LocalAddresses(
      () => {
        reads++;
        return list;
      },
      () => now,
      1000,
    );
    assert.equal(addresses.facing("198.51.100.1"), "192.0.2.2");
    list = [{ address: "198.51.100.7", family: 4, prefix: 24, internal: false }];
    now = 999;
    assert.equal(addresses.facing("198.51.100.1"), "192.0.2.2", "cached");
    now = 1000;
    assert.equal(addresses.facing("198.51.100.1"), "198.51.100.7", "read again");
    assert.equal(reads, 2);
    assert.equal(addresses.has("198.51.100.7"), true);
    assert.equal(addresses.has("192.0.2.2"), false);
  });
});

describe("mediaAddresses() (start-up)", () => {
  const logger = () => {
    const lines: Array<{ obj: Record<string, unknown>; msg: string }> = [];
    return { lines, warn: (obj: Record<string, unknown>, msg: string) => lines.push({ obj, msg }) };
  };

  it("with no setting, no fixed address (each leg's own) and no warning", () => {
    const log = logger();
    const got = mediaAddresses(
      { mediaAddress: undefined, advertisedAddress: undefined, bind: ["0.0.0.0"] },
      "192.0.2.2",
      log,
      HOST,
    );
    assert.equal(got.address, undefined);
    assert.equal(got.fallbackAddress, "192.0.2.2");
    assert.equal(log.lines.length, 0);
  });
  it("with no setting, media sockets listen no wider than SIP: its one specific address, else every address", () => {
    const log = logger();
    const unset = { mediaAddress: undefined, advertisedAddress: undefined };
    assert.equal(mediaAddresses({ ...unset, bind: ["127.0.0.1"] }, "x", log, HOST).bindAddress, "127.0.0.1");
    const wide = mediaAddresses({ ...unset, bind: ["0.0.0.0", "::"] }, "x", log, HOST).bindAddress;
    assert.equal(wide, bindAddressFor(undefined));
    assert.ok(wide === "::" || wide === "0.0.0.0", wide);
    const two = mediaAddresses({ ...unset, bind: ["127.0.0.1", "::1"] }, "x", log, HOST).bindAddress;
    assert.equal(two, wide, "two addresses of either family: the dual-stack wildcard");
  });
  it("--media-address of this machine: written for every leg, no warning", () => {
    const log = logger();
    const got = mediaAddresses(
      { mediaAddress: "10.1.2.3", advertisedAddress: undefined, bind: ["0.0.0.0"] },
      "x",
      log,
      HOST,
    );
    assert.equal(got.address, "10.1.2.3");
    assert.equal(log.lines.length, 0);
  });
  it("--media-address not of this machine: a warning naming the setting and the machine's addresses", () => {
    const log = logger();
    const got = mediaAddresses(
      { mediaAddress: "192.0.2.7", advertisedAddress: undefined, bind: ["0.0.0.0"] },
      "x",
      log,
      HOST,
    );
    assert.equal(got.address, "192.0.2.7");
    assert.equal(log.lines.length, 1);
    const [{ obj, msg }] = log.lines;
    assert.equal(obj.setting, "mediaAddress");
    assert.deepEqual(
      obj.machineAddresses,
      HOST.map((i) => i.address),
    );
    assert.match(msg, /192\.0\.2\.7.*--media-address.*not an address of this machine/);
    for (const i of HOST) assert.ok(msg.includes(i.address), `${i.address} named in: ${msg}`);
  });
  it("an --advertised-address IP stands for the media address, and is checked the same way", () => {
    const log = logger();
    const got = mediaAddresses(
      { mediaAddress: undefined, advertisedAddress: "203.0.113.5", bind: ["0.0.0.0"] },
      "x",
      log,
      HOST,
    );
    assert.equal(got.address, "203.0.113.5");
    assert.equal(log.lines[0]?.obj.setting, "advertisedAddress");
    const named = mediaAddresses(
      { mediaAddress: undefined, advertisedAddress: "pbx.example.com", bind: ["0.0.0.0"] },
      "y",
      log,
      HOST,
    );
    assert.equal(named.address, undefined, "a host name is not written in SDP as the media address");
  });
});
