/**
 * The location service's persistence: new bindings, removals and changes of where a device is
 * reached are written through at once; refreshes are written behind, in one batch, and on stop.
 */
import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import {
  type Binding,
  type BindingPersistence,
  LocationService,
} from "../../src/registrar/location-service.js";
import { VirtualClock } from "../../src/util/clock.js";

const EPOCH = 1_800_000_000_000;

class RecordingPersistence implements BindingPersistence {
  readonly writes: Array<["upsert" | "refresh", Binding] | ["remove", string]> = [];
  rows = new Map<string, Binding>();
  async upsert(b: Binding): Promise<void> {
    this.writes.push(["upsert", b]);
    this.rows.set(b.contactUri, b);
  }
  async refreshAll(bindings: readonly Binding[]): Promise<void> {
    for (const b of bindings) {
      this.writes.push(["refresh", b]);
      this.rows.set(b.contactUri, b);
    }
  }
  async remove(_domainId: number, _user: string, contactUri: string): Promise<number> {
    this.writes.push(["remove", contactUri]);
    return this.rows.delete(contactUri) ? 1 : 0;
  }
  async listActive(nowMs: number): Promise<Binding[]> {
    return [...this.rows.values()].filter((b) => b.expiresAt > nowMs);
  }
  async purgeExpired(nowMs: number): Promise<number> {
    let n = 0;
    for (const [k, b] of this.rows) if (b.expiresAt <= nowMs && this.rows.delete(k)) n++;
    return n;
  }
}

describe("LocationService persistence", () => {
  let clock: VirtualClock;
  let store: RecordingPersistence;
  let location: LocationService;
  const now = () => EPOCH + clock.now();

  function binding(contactUri: string, changes: Partial<Binding> = {}): Binding {
    return {
      domainId: 1,
      user: "100",
      contactUri,
      expiresAt: now() + 3_600_000,
      callId: "call-1",
      cseq: 1,
      path: [],
      sourceAddress: "192.0.2.1",
      sourcePort: 5060,
      transport: "udp",
      userAgent: "phone/1",
      updatedAt: now(),
      ...changes,
    };
  }

  beforeEach(async () => {
    clock = new VirtualClock();
    store = new RecordingPersistence();
    location = new LocationService(clock, now, store, {}, { refreshDelayMs: 500 });
    await location.start();
  });

  describe("upon a new binding", () => {
    it("MUST write it through at once", () => {
      location.apply(1, "100", [], [binding("sip:100@192.0.2.1")]);
      assert.equal(store.writes.length, 1);
      assert.equal(store.writes[0]![0], "upsert");
    });
  });

  describe("upon a refresh (only expiry, Call-ID, CSeq changed)", () => {
    it("writes the latest refresh of each binding once, after the delay, in one batch", () => {
      location.apply(1, "100", [], [binding("sip:100@192.0.2.1"), binding("sip:100@192.0.2.2")]);
      store.writes.length = 0;
      clock.advance(100);
      location.apply(1, "100", [], [binding("sip:100@192.0.2.1", { callId: "call-2", cseq: 7 })]);
      location.apply(1, "100", [], [binding("sip:100@192.0.2.1", { callId: "call-3", cseq: 9 })]);
      location.apply(1, "100", [], [binding("sip:100@192.0.2.2", { cseq: 2 })]);
      assert.equal(store.writes.length, 0, "held back");
      assert.equal(location.pendingWrites, 2);
      clock.advance(499);
      assert.equal(store.writes.length, 0);
      clock.advance(1);
      assert.deepEqual(
        store.writes.map(([kind, b]) => [
          kind,
          typeof b === "string" ? b : b.callId,
          typeof b === "string" ? 0 : b.cseq,
        ]),
        [
          ["refresh", "call-3", 9],
          ["refresh", "call-1", 2],
        ],
      );
      assert.equal(location.pendingWrites, 0);
    });

    it("stop() writes the pending refreshes before it resolves", async () => {
      location.apply(1, "100", [], [binding("sip:100@192.0.2.1")]);
      location.apply(1, "100", [], [binding("sip:100@192.0.2.1", { cseq: 2, expiresAt: now() + 7_200_000 })]);
      await location.stop();
      assert.equal(store.rows.get("sip:100@192.0.2.1")?.cseq, 2);
      assert.equal(location.pendingWrites, 0);
    });

    it("a restart after a lost refresh keeps the binding with its previous, still future, expiry", async () => {
      const first = binding("sip:100@192.0.2.1");
      location.apply(1, "100", [], [first]);
      clock.advance(60_000);
      location.apply(1, "100", [], [binding("sip:100@192.0.2.1", { cseq: 2 })]);
      // Crash: the pending refresh is never written.
      const restarted = new LocationService(clock, now, store, {}, { refreshDelayMs: 500 });
      await restarted.start();
      const after = restarted.lookup(1, "100");
      assert.equal(after.length, 1);
      assert.equal(after[0]!.expiresAt, first.expiresAt);
      await restarted.stop();
    });
  });

  describe("upon a change of where the device is reached", () => {
    for (const [what, changes] of [
      ["source port (NAT rebinding)", { sourcePort: 40000 }],
      ["source address", { sourceAddress: "198.51.100.4" }],
      ["transport", { transport: "tcp" }],
      ["Path", { path: ["<sip:edge.example.com;lr>"] as string[] }],
      ["user agent", { userAgent: "phone/2" }],
    ] as const) {
      it(`MUST write a changed ${what} through at once, dropping the pending refresh`, () => {
        location.apply(1, "100", [], [binding("sip:100@192.0.2.1")]);
        location.apply(1, "100", [], [binding("sip:100@192.0.2.1", { cseq: 2 })]);
        store.writes.length = 0;
        location.apply(1, "100", [], [binding("sip:100@192.0.2.1", { cseq: 3, ...changes })]);
        assert.equal(store.writes.length, 1);
        assert.equal(location.pendingWrites, 0);
        clock.advance(1000);
        assert.equal(store.writes.length, 1, "the older refresh is not written after it");
      });
    }
  });

  describe("upon a removal", () => {
    it("MUST write it through at once and never write the removed binding's pending refresh", () => {
      location.apply(1, "100", [], [binding("sip:100@192.0.2.1")]);
      location.apply(1, "100", [], [binding("sip:100@192.0.2.1", { cseq: 2 })]);
      store.writes.length = 0;
      location.apply(1, "100", ["sip:100@192.0.2.1"], []);
      assert.deepEqual(store.writes, [["remove", "sip:100@192.0.2.1"]]);
      clock.advance(1000);
      assert.equal(store.writes.length, 1);
      assert.equal(store.rows.size, 0);
    });
  });

  describe("upon expiry", () => {
    it("drops the expired binding's pending refresh", async () => {
      const location2 = new LocationService(
        clock,
        now,
        store,
        {},
        { refreshDelayMs: 10_000, sweepIntervalMs: 100 },
      );
      await location2.start();
      location2.apply(1, "100", [], [binding("sip:100@192.0.2.9", { expiresAt: now() + 1000 })]);
      location2.apply(1, "100", [], [binding("sip:100@192.0.2.9", { cseq: 2, expiresAt: now() + 2000 })]);
      assert.equal(location2.pendingWrites, 1);
      clock.advance(2100);
      assert.equal(location2.pendingWrites, 0);
      assert.equal(location2.lookup(1, "100").length, 0);
      await location2.stop();
      assert.equal(store.rows.size, 0, "nothing expired is written back");
    });
  });

  describe("with refreshDelayMs 0", () => {
    it("writes every refresh through", () => {
      const through = new LocationService(clock, now, store, {}, { refreshDelayMs: 0 });
      store.writes.length = 0;
      through.apply(1, "100", [], [binding("sip:100@192.0.2.1")]);
      through.apply(1, "100", [], [binding("sip:100@192.0.2.1", { cseq: 2 })]);
      assert.equal(store.writes.length, 2);
    });
  });
});
