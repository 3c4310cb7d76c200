import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createCancel } from "../../src/transaction/index.js";
import { answer, harness, isRequest, isResponse, layerOn, RecordingHandler, request, T1 } from "./harness.js";

/** Two transaction layers, UAC on "uac" and UAS on "uas", over the loop network. */
function pair() {
  const h = harness();
  const client = layerOn(h, h.uac);
  const server = layerOn(h, h.uas);
  const handler = new RecordingHandler(h.clock);
  return { ...h, client, server, handler };
}

describe("transactions over a lossy network (loop transport)", () => {
  it("RFC 3261 17.1.2.2: a dropped request is retransmitted by Timer E and answered", () => {
    const p = pair();
    p.server.user.onRequestHook = (rx, tx) => tx.respond(answer(rx, 200));
    p.net.dropNext(2, isRequest("OPTIONS"));
    p.client.layer.sendRequest(request({ method: "OPTIONS", branch: null }), p.uas.destination(), p.handler);
    p.clock.advance(2000);
    assert.deepEqual(p.handler.statuses, [200]);
    assert.equal(p.handler.responses[0].at, 1500);
    assert.equal(p.server.user.requests.length, 1);
  });

  it("RFC 3261 17.2.2: a dropped final response is resent when the retransmitted request arrives", () => {
    const p = pair();
    p.server.user.onRequestHook = (rx, tx) => tx.respond(answer(rx, 200));
    p.net.dropNext(1, isResponse(200));
    p.client.layer.sendRequest(request({ method: "OPTIONS", branch: null }), p.uas.destination(), p.handler);
    p.clock.advance(1000);
    assert.deepEqual(p.handler.statuses, [200]);
    assert.equal(p.handler.responses[0].at, T1);
    assert.equal(
      p.server.user.requests.length,
      1,
      "the retransmission was absorbed by the server transaction",
    );
    const finals = p.net.packets(isResponse(200));
    assert.ok(finals[1].wire.equals(finals[0].wire), "the same response bytes");
  });

  it("duplicated requests and responses reach each TU once", () => {
    const p = pair();
    p.server.user.onRequestHook = (rx, tx) => tx.respond(answer(rx, 202));
    p.net.duplicate(undefined, 2);
    p.client.layer.sendRequest(request({ method: "MESSAGE", branch: null }), p.uas.destination(), p.handler);
    p.clock.advance(0);
    assert.equal(p.server.user.requests.length, 1);
    assert.deepEqual(p.handler.statuses, [202]);
  });

  it("RFC 3261 17.1.1.2 / 17.2.1: a dropped ACK for a 486 is re-sent when the 486 is retransmitted (Timer G)", () => {
    const p = pair();
    p.server.user.onRequestHook = (rx, tx) => tx.respond(answer(rx, 486));
    p.net.dropNext(1, isRequest("ACK"));
    const tx = p.client.layer.sendRequest(
      request({ method: "INVITE", branch: null }),
      p.uas.destination(),
      p.handler,
    );
    p.clock.advance(0);
    const serverTx = p.server.user.requests[0].tx;
    assert.equal(serverTx.state, "completed");
    p.clock.advance(T1);
    assert.equal(serverTx.state, "confirmed");
    assert.deepEqual(p.net.times(isRequest("ACK")), [0, T1]);
    assert.deepEqual(p.handler.statuses, [486]);
    assert.equal(tx.state, "completed");
  });

  it("reordered provisional and final responses: the final wins, the late 180 is absorbed", () => {
    const p = pair();
    p.server.user.onRequestHook = (rx, tx) => {
      tx.respond(answer(rx, 180));
      tx.respond(answer(rx, 486));
    };
    p.net.reorderNext(2, isResponse());
    const tx = p.client.layer.sendRequest(
      request({ method: "INVITE", branch: null }),
      p.uas.destination(),
      p.handler,
    );
    p.clock.advance(0);
    assert.deepEqual(p.handler.statuses, [486]);
    assert.equal(tx.state, "completed");
  });

  it("a delayed 200 to an INVITE still completes the call setup after retransmissions", () => {
    const p = pair();
    p.server.user.onRequestHook = (rx, tx) => tx.respond(answer(rx, 200));
    p.net.delay(1200, isResponse(200), 1);
    const tx = p.client.layer.sendRequest(
      request({ method: "INVITE", branch: null }),
      p.uas.destination(),
      p.handler,
    );
    p.clock.advance(2000);
    assert.deepEqual(p.handler.statuses, [200]);
    assert.equal(tx.state, "accepted");
    // The INVITE retransmission at T1 was absorbed by the server transaction in "accepted".
    assert.equal(p.server.user.requests.length, 1);
    assert.deepEqual(p.net.times(isRequest("INVITE")), [0, T1]);
  });

  it("CANCEL end to end: 200 to the CANCEL, 487 to the INVITE, ACK absorbed by the server", () => {
    const p = pair();
    const cancelHandler = new RecordingHandler(p.clock);
    p.server.user.onRequestHook = (rx, tx) => {
      if (tx.method === "INVITE") tx.respond(answer(rx, 180));
      else if (tx.cancelTarget) {
        tx.respond(answer(rx, 200));
        const target = p.server.user.requests.find((r) => r.tx === tx.cancelTarget)!;
        target.tx.respond(answer(target.rx, 487));
      }
    };
    const invite = request({ method: "INVITE", branch: null });
    p.client.layer.sendRequest(invite, p.uas.destination(), p.handler);
    p.clock.advance(0);
    p.client.layer.sendRequest(createCancel(invite), p.uas.destination(), cancelHandler);
    p.clock.advance(0);
    assert.deepEqual(cancelHandler.statuses, [200]);
    assert.deepEqual(p.handler.statuses, [180, 487]);
    assert.equal(p.server.user.requests[0].tx.state, "confirmed");
    assert.equal(p.server.user.acks.length, 0);
  });

  it("all transactions leave both layers once their timers run out", () => {
    const p = pair();
    p.server.user.onRequestHook = (rx, tx) => tx.respond(answer(rx, 200));
    for (let i = 0; i < 20; i++) {
      p.client.layer.sendRequest(
        request({ method: "OPTIONS", branch: null }),
        p.uas.destination(),
        p.handler,
      );
    }
    p.clock.advance(0);
    assert.equal(p.server.layer.serverCount, 20);
    assert.equal(p.client.layer.clientCount, 20);
    p.clock.advance(64 * T1);
    assert.equal(p.server.layer.serverCount, 0);
    assert.equal(p.client.layer.clientCount, 0);
    assert.equal(p.clock.pending, 0);
  });
});
