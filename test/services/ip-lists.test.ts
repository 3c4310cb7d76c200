/**
 * The IP black and white list (issue 16; FEATURES.md section 6).
 * Proven here: the transport's source filter drops a rejected source's datagrams and closes its
 * TCP connections before a byte is parsed, and takes effect on the next packet when the list
 * changes; the ban list never bans an accepted (trusted) source and lifts its existing ban; the
 * IpLists service applies a change made through it at once (IPv4 and IPv6 ranges, reject wins
 * over accept). End to end with sipp against `parley start`: test/e2e/call-lists.test.ts.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { BanList } from "../../src/auth/ban-list.js";
import { IpLists } from "../../src/services/ip-lists/ip-lists.js";
import { openStore, type Store } from "../../src/store/index.js";
import { VirtualClock } from "../../src/util/clock.js";
import { type Harness, requestText, startTransport, tcpPeer, udpPeer } from "../transport/helpers.js";

describe("the transport's source filter", () => {
  let h: Harness;
  before(async () => {
    h = await startTransport();
  });
  after(() => h.transport.stop());

  it("drops a rejected source's datagrams unparsed, and lets them in again once no longer rejected", async () => {
    const peer = await udpPeer();
    try {
      h.transport.setSourceFilter((address) => address === "127.0.0.1");
      const dropped = h.transport.stats.dropped;
      peer.send(requestText("OPTIONS", "SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK-ip1"), h.port("UDP"));
      await assert.rejects(h.messages.next(300), /nothing arrived/);
      assert.equal(h.transport.stats.dropped, dropped + 1);
      h.transport.setSourceFilter(undefined);
      peer.send(requestText("OPTIONS", "SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK-ip2"), h.port("UDP"));
      const rx = await h.messages.next();
      assert.equal(rx.message.topVia?.branch, "z9hG4bK-ip2");
    } finally {
      peer.socket.close();
    }
  });

  it("closes a rejected source's TCP connection at once", async () => {
    h.transport.setSourceFilter((address) => address === "127.0.0.1");
    try {
      const peer = await tcpPeer(h.port("TCP"));
      await peer.waitClosed();
      assert.equal(h.transport.stats.connectionsOpened, 0);
    } finally {
      h.transport.setSourceFilter(undefined);
    }
  });

  it("drops messages on a connection opened before its source was rejected", async () => {
    const peer = await tcpPeer(h.port("TCP"));
    try {
      h.transport.setSourceFilter((address) => address === "127.0.0.1");
      peer.write(requestText("OPTIONS", "SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bK-ip3"));
      await assert.rejects(h.messages.next(300), /nothing arrived/);
    } finally {
      h.transport.setSourceFilter(undefined);
      peer.socket.destroy();
    }
  });
});

describe("the ban list's trusted sources", () => {
  const policy = { threshold: 3, userThreshold: 9, windowMs: 60_000, banMs: 600_000, allow: [] };

  it("never bans a trusted source, however many failures it has", () => {
    const bans = new BanList(new VirtualClock(), policy);
    bans.trust((address) => address === "127.0.0.9");
    for (let i = 0; i < 10; i++) assert.equal(bans.recordFailure("127.0.0.9", "100"), undefined);
    assert.equal(bans.isBanned("127.0.0.9"), false);
    for (let i = 0; i < 3; i++) bans.recordFailure("127.0.0.8", "100");
    assert.equal(bans.isBanned("127.0.0.8"), true, "an untrusted source is still banned");
  });

  it("lifts the ban of a source trusted after it was banned", () => {
    const bans = new BanList(new VirtualClock(), policy);
    for (let i = 0; i < 3; i++) bans.recordFailure("127.0.0.7", undefined);
    assert.equal(bans.isBanned("127.0.0.7"), true);
    bans.trust((address) => address === "127.0.0.7");
    assert.deepEqual(bans.list(), [], "the ban list no longer shows it");
    assert.equal(bans.isBanned("127.0.0.7"), false);
  });
});

describe("the IpLists service", () => {
  let dir: string;
  let store: Store;
  let lists: IpLists;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "parley-ip-lists-"));
    store = await openStore({ kind: "sqlite", file: join(dir, "parley.db") });
    await store.migrate();
    lists = new IpLists({ repository: store.lists, domainId: (await store.domains.getDefault()).id });
    await lists.load();
  });

  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("applies a change at once, for IPv4 and IPv6 ranges, IPv4-mapped addresses too", async () => {
    assert.equal(lists.rejects("127.0.0.2"), false);
    const entry = await lists.create({ address: "127.0.0.0/29", kind: "reject" });
    assert.equal(lists.rejects("127.0.0.2"), true);
    assert.equal(lists.rejects("::ffff:127.0.0.3"), true);
    assert.equal(lists.rejects("127.0.0.9"), false);
    await lists.create({ address: "2001:db8::/32", kind: "accept" });
    assert.equal(lists.accepts("2001:db8::7"), true);
    assert.equal(lists.accepts("2001:db9::7"), false);
    await lists.update(entry.id, { kind: "accept" });
    assert.equal(lists.rejects("127.0.0.2"), false);
    assert.equal(lists.accepts("127.0.0.2"), true);
    await lists.remove(entry.id);
    assert.equal(lists.accepts("127.0.0.2"), false);
    assert.deepEqual(
      lists.list().map((e) => e.address),
      ["2001:db8::/32"],
    );
  });

  it("reports a missing entry and a bad address by field", async () => {
    await assert.rejects(lists.remove(9999), /not found/);
    await assert.rejects(lists.create({ address: "300.1.1.1", kind: "reject" }), /address: must be/);
  });
});
