/** SIP trunks' live state from OPTIONS to their peers, on a virtual clock. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createResponse } from "../../src/sip/index.js";
import type { SipRequest } from "../../src/sip/types.js";
import { sipTrunkSchema } from "../../src/store/routing-model.js";
import type { ClientTransactionHandler } from "../../src/transaction/types.js";
import { TrunkMonitor } from "../../src/trunks/trunk-monitor.js";
import { VirtualClock } from "../../src/util/clock.js";
import { createLogger } from "../../src/util/logger.js";

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe("TrunkMonitor", () => {
  it("asks each peer OPTIONS: an answer is online, a timeout offline; again every interval", async () => {
    const clock = new VirtualClock();
    const sent: Array<{ request: SipRequest; handler: ClientTransactionHandler }> = [];
    let changes = 0;
    const monitor = new TrunkMonitor({
      load: async () => [
        sipTrunkSchema.parse({ trunkId: "up", address: "127.0.0.1", port: 5070 }),
        sipTrunkSchema.parse({ trunkId: "down", address: "127.0.0.2", port: 5080 }),
      ],
      sender: {
        sendRequest: (request, _destination, handler) => {
          sent.push({ request, handler });
          return undefined;
        },
      },
      clock,
      logger: createLogger({ level: "silent", format: "json" }),
      localHost: "127.0.0.9",
      intervalMs: 30_000,
      onChange: () => changes++,
    });
    assert.equal(monitor.state("up"), "unknown");
    monitor.start();
    await flush();
    assert.equal(sent.length, 2);
    const answer = (i: number, status: number) =>
      sent[i]!.handler.onResponse(createResponse(sent[i]!.request, status), {} as never);
    assert.equal(sent[0]!.request.method, "OPTIONS");
    assert.equal(sent[0]!.request.uriText, "sip:127.0.0.1:5070");
    answer(0, 200);
    answer(1, 408);
    assert.equal(monitor.state("up"), "online");
    assert.equal(monitor.state("down"), "offline");
    assert.equal(changes, 2);
    clock.advance(30_000);
    await flush();
    assert.equal(sent.length, 4);
    // A peer that answers at all (even 404 or 405) is up.
    answer(3, 405);
    assert.equal(monitor.state("down"), "online");
    monitor.stop();
    clock.advance(60_000);
    await flush();
    assert.equal(sent.length, 4);
  });
});
