/**
 * End to end (issue 23): a running `parley start` answers its probes without a token: /health
 * (liveness) and /ready (the store answers, the SIP sockets are bound), and the admin web page's
 * routes do not shadow them.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";

describe("health and readiness probes", () => {
  let parley: ParleyProcess;
  before(async () => {
    parley = await startParley();
  });
  after(() => parley.stop());

  it("GET /health and GET /ready answer 200 without a token", async () => {
    const health = await fetch(`http://127.0.0.1:${parley.httpPort}/health`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: "ok" });
    const ready = await fetch(`http://127.0.0.1:${parley.httpPort}/ready`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), {
      status: "ready",
      checks: [
        { name: "store", ok: true },
        { name: "sip", ok: true },
      ],
    });
  });
});
