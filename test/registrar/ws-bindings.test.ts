/**
 * Issue 20, RFC 7118 5: a WebSocket client is reached only over its connection, so the location
 * service drops the bindings of a flow that closed (removeFlow) at once, with the user going
 * offline, and does not load WebSocket bindings back after a restart (their connections are gone).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type Binding,
  type BindingPersistence,
  LocationService,
} from "../../src/registrar/location-service.js";
import { VirtualClock } from "../../src/util/clock.js";

const EPOCH = 1_800_000_000_000;

class MemoryPersistence implements BindingPersistence {
  readonly rows = new Map<string, Binding>();
  async upsert(b: Binding): Promise<void> {
    this.rows.set(b.contactUri, b);
  }
  async refreshAll(bindings: readonly Binding[]): Promise<void> {
    for (const b of bindings) this.rows.set(b.contactUri, b);
  }
  async remove(_domainId: number, _user: string, contactUri: string): Promise<number> {
    return this.rows.delete(contactUri) ? 1 : 0;
  }
  async listActive(nowMs: number): Promise<Binding[]> {
    return [...this.rows.values()].filter((b) => b.expiresAt > nowMs);
  }
  async purgeExpired(): Promise<number> {
    return 0;
  }
}

function binding(contactUri: string, transport: string, flowId: string | undefined, user = "100"): Binding {
  return {
    domainId: 1,
    user,
    contactUri,
    expiresAt: EPOCH + 3_600_000,
    callId: `call-${contactUri}`,
    cseq: 1,
    path: [],
    sourceAddress: "192.0.2.1",
    sourcePort: 40000,
    transport,
    flowId,
    updatedAt: EPOCH,
  };
}

describe("LocationService and WebSocket flows", () => {
  it("removeFlow() drops every binding of the flow at once, and only those", async () => {
    const clock = new VirtualClock();
    const store = new MemoryPersistence();
    const offline: string[] = [];
    const location = new LocationService(clock, () => EPOCH, store, {
      onAvailability: (_d, user, online) => online || offline.push(user),
    });
    await location.start();
    location.apply(1, "100", [], [binding("sip:a@x.invalid;transport=ws", "ws", "ws-1")]);
    location.apply(1, "101", [], [binding("sip:b@x.invalid;transport=ws", "ws", "ws-1", "101")]);
    location.apply(1, "101", [], [binding("sip:c@192.0.2.1", "tcp", "tcp-2", "101")]);
    assert.equal(location.removeFlow("ws-1"), 2);
    assert.deepEqual(location.lookup(1, "100"), []);
    assert.deepEqual(
      location.lookup(1, "101").map((b) => b.contactUri),
      ["sip:c@192.0.2.1"],
    );
    assert.deepEqual(offline, ["100"]);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual([...store.rows.keys()], ["sip:c@192.0.2.1"]);
    assert.equal(location.removeFlow("ws-1"), 0);
    await location.stop();
  });

  it("does not load WebSocket bindings after a restart, and removes them from the store", async () => {
    const store = new MemoryPersistence();
    await store.upsert(binding("sip:a@x.invalid;transport=ws", "ws", "ws-9"));
    await store.upsert(binding("sip:b@y.invalid;transport=wss", "wss", "wss-9"));
    await store.upsert(binding("sip:c@192.0.2.1", "udp", undefined));
    const location = new LocationService(new VirtualClock(), () => EPOCH, store);
    await location.start();
    assert.deepEqual(
      location.all().map((b) => b.contactUri),
      ["sip:c@192.0.2.1"],
    );
    await new Promise((r) => setImmediate(r));
    assert.deepEqual([...store.rows.keys()], ["sip:c@192.0.2.1"]);
    await location.stop();
  });
});
