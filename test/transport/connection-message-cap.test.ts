/** Issue 22: the message-rate cap of one TCP/TLS connection, each connection on its own. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConnectionMessageCap, type MessageCapReport } from "../../src/transport/connection-message-cap.js";

describe("ConnectionMessageCap", () => {
  it("drops a connection's messages past its rate, reports once per interval, and spares other connections", () => {
    const clock = { t: 0 };
    const reports: MessageCapReport[] = [];
    const cap = new ConnectionMessageCap(
      50,
      () => clock.t,
      (r) => reports.push(r),
    );
    const a = { protocol: "TCP" as const, flowId: "a", remote: { address: "192.0.2.1" } };
    const b = { protocol: "TLS" as const, flowId: "b", remote: { address: "192.0.2.1" } };
    let passed = 0;
    for (let i = 0; i < 1_000; i++) if (cap.allows(a)) passed++;
    assert.equal(passed, 100, "two seconds' worth");
    assert.equal(cap.allows(b), true);
    assert.equal(cap.droppedTotal, 900);
    assert.deepEqual(reports, [{ protocol: "TCP", flowId: "a", source: "192.0.2.1", max: 50, refused: 1 }]);
    clock.t += 1_000;
    passed = 0;
    for (let i = 0; i < 1_000; i++) if (cap.allows(a)) passed++;
    assert.equal(passed, 50);
    assert.equal(reports.length, 1, "not reported again within the minute");
  });
});
