/**
 * Issue 23, what GET /metrics reads from the transaction layer: `counters.retransmissions` counts
 * every message a transaction sends again (RFC 3261 Timers A, E, G; a final or provisional
 * response resent to a retransmitted request; the TU's 2xx again in "accepted", RFC 6026 8.7),
 * never a first send; `serverCount` counts transactions, not the RFC 2543 ACK aliases of one.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { SipRequest } from "../../src/sip/types.js";
import type { ReceivedMessage } from "../../src/transport/types.js";
import { answer, harness, isRequest, isResponse, layerOn, RecordingHandler, request, T1 } from "./harness.js";

function pair() {
  const h = harness();
  const client = layerOn(h, h.uac);
  const server = layerOn(h, h.uas);
  return { ...h, client, server, handler: new RecordingHandler(h.clock) };
}

describe("TransactionLayer.counters.retransmissions", () => {
  it("stays 0 when every message arrives the first time", () => {
    const p = pair();
    p.server.user.onRequestHook = (rx, tx) => tx.respond(answer(rx, 200));
    p.client.layer.sendRequest(request({ method: "OPTIONS", branch: null }), p.uas.destination(), p.handler);
    p.clock.advance(64 * T1);
    assert.deepEqual(p.handler.statuses, [200]);
    assert.equal(p.client.layer.counters.retransmissions, 0);
    assert.equal(p.server.layer.counters.retransmissions, 0);
  });

  it("counts each request sent again on Timer E (RFC 3261 17.1.2.2)", () => {
    const p = pair();
    p.server.user.onRequestHook = (rx, tx) => tx.respond(answer(rx, 200));
    p.net.dropNext(2, isRequest("OPTIONS"));
    p.client.layer.sendRequest(request({ method: "OPTIONS", branch: null }), p.uas.destination(), p.handler);
    p.clock.advance(2000);
    assert.deepEqual(p.handler.statuses, [200]);
    assert.equal(p.client.layer.counters.retransmissions, 2);
  });

  it("counts the INVITE sent again on Timer A and the final response sent again on Timer G", () => {
    const p = pair();
    p.server.user.onRequestHook = (rx, tx) => tx.respond(answer(rx, 486));
    p.net.dropNext(1, isRequest("INVITE"));
    p.net.dropNext(1, isResponse(486));
    p.client.layer.sendRequest(request({ method: "INVITE", branch: null }), p.uas.destination(), p.handler);
    p.clock.advance(4 * T1);
    assert.deepEqual(p.handler.statuses, [486]);
    assert.ok(p.client.layer.counters.retransmissions >= 1, "Timer A");
    assert.ok(p.server.layer.counters.retransmissions >= 1, "Timer G or the INVITE retransmission");
  });

  it("counts the TU's 2xx passed again in 'accepted' (RFC 6026 8.7)", () => {
    const p = pair();
    let again: (() => void) | undefined;
    p.server.user.onRequestHook = (rx, tx) => {
      const ok = answer(rx, 200);
      tx.respond(ok);
      again = () => tx.respond(ok);
    };
    p.client.layer.sendRequest(request({ method: "INVITE", branch: null }), p.uas.destination(), p.handler);
    p.clock.advance(0);
    assert.equal(p.server.layer.counters.retransmissions, 0, "the first 2xx is no retransmission");
    again?.();
    assert.equal(p.server.layer.counters.retransmissions, 1);
  });
});

describe("TransactionLayer.serverCount", () => {
  it("counts an RFC 2543 INVITE transaction once, not its ACK alias too", () => {
    const h = harness();
    const { layer, user } = layerOn(h, h.uas);
    h.uac.onMessage((_rx: ReceivedMessage) => {});
    const send = (req: SipRequest) => {
      h.uac.sendRequest(req, h.uas.destination());
      h.clock.advance(0);
    };
    const via2543 = "SIP/2.0/UDP 127.0.0.1:5070;branch=1234abcd";
    send(request({ method: "INVITE", via: via2543, callId: "old-1" }));
    const { tx, rx } = user.requests[0]!;
    tx.respond(answer(rx, 486, "resp-tag"));
    h.clock.advance(0);
    assert.equal(tx.state, "completed");
    assert.equal(layer.serverCount, 1);
    h.clock.advance(64 * T1 + 10_000);
    assert.equal(layer.serverCount, 0, "and none once it ended");
  });
});
