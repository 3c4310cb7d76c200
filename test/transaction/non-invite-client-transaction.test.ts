import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { SipRequest } from "../../src/sip/types.js";
import type { ReceivedMessage, TransportProtocol } from "../../src/transport/types.js";
import {
  answer,
  harness,
  isRequest,
  layerOn,
  RecordingHandler,
  request,
  settle,
  T1,
  T2,
  T4,
} from "./harness.js";

/** A TransactionLayer on "uac" sending an OPTIONS to a raw peer "uas". */
function setup(protocol: TransportProtocol = "UDP") {
  const h = harness();
  const { layer } = layerOn(h, h.uac);
  const arrived: ReceivedMessage[] = [];
  h.uas.onMessage((rx) => arrived.push(rx));
  const handler = new RecordingHandler(h.clock);
  const tx = layer.sendRequest(
    request({ method: "OPTIONS", branch: null, protocol }),
    h.uas.destination(protocol),
    handler,
  );
  h.clock.advance(0);
  const reply = (status: number) => h.uas.sendResponse(answer(arrived[0], status), arrived[0]);
  return { ...h, layer, arrived, handler, tx, reply };
}

describe("RFC 3261 17.1.2.2 non-INVITE client transaction", () => {
  describe("in 'trying' over UDP", () => {
    it("MUST retransmit at T1, then MIN(2·T1, T2), MIN(4·T1, T2) … capped at T2 (Timer E)", () => {
      const s = setup();
      s.clock.advance(64 * T1 - 1);
      assert.deepEqual(
        s.net.times(isRequest("OPTIONS")),
        [0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500],
      );
    });

    it("SHOULD inform the TU of the timeout as 408 when Timer F fires after 64·T1", () => {
      const s = setup();
      s.clock.advance(64 * T1 - 1);
      assert.deepEqual(s.handler.statuses, []);
      s.clock.advance(1);
      assert.deepEqual(s.handler.statuses, [408]);
      assert.equal(s.tx.state, "terminated");
      assert.equal(s.tx.failure, "timeout");
      assert.equal(s.layer.clientCount, 0);
    });
  });

  describe("in 'trying' over TCP", () => {
    it("MUST NOT set Timer E: the request is sent once, and Timer F still gives 408", () => {
      const s = setup("TCP");
      s.clock.advance(64 * T1);
      assert.deepEqual(s.net.times(isRequest("OPTIONS")), [0]);
      assert.deepEqual(s.handler.statuses, [408]);
    });
  });

  describe("upon a provisional response in 'trying'", () => {
    it("MUST pass it to the TU and move to 'proceeding'", () => {
      const s = setup();
      s.reply(100);
      s.clock.advance(0);
      assert.deepEqual(s.handler.statuses, [100]);
      assert.equal(s.tx.state, "proceeding");
    });
  });

  describe("in 'proceeding' over UDP", () => {
    it("MUST retransmit when Timer E fires and reset it to T2", () => {
      const s = setup();
      s.clock.advance(600); // sends at 0 and 500; Timer E now due at 1500
      s.reply(100);
      s.clock.advance(0);
      assert.equal(s.tx.state, "proceeding");
      s.clock.advance(64 * T1 - 600 - 1);
      const times = s.net.times(isRequest("OPTIONS"));
      assert.deepEqual(times, [
        0,
        500,
        1500,
        1500 + T2,
        1500 + 2 * T2,
        1500 + 3 * T2,
        1500 + 4 * T2,
        1500 + 5 * T2,
        1500 + 6 * T2,
        1500 + 7 * T2,
      ]);
    });

    it("MUST inform the TU of a timeout (408) when Timer F fires", () => {
      const s = setup();
      s.reply(100);
      s.clock.advance(64 * T1);
      assert.deepEqual(s.handler.statuses, [100, 408]);
      assert.equal(s.tx.state, "terminated");
    });

    it("MUST pass further provisional responses to the TU", () => {
      const s = setup();
      s.reply(100);
      s.reply(180);
      s.clock.advance(0);
      assert.deepEqual(s.handler.statuses, [100, 180]);
    });
  });

  describe("upon a final response in 'trying' or 'proceeding'", () => {
    it("MUST pass it to the TU and transition to 'completed'", () => {
      const s = setup();
      s.reply(100);
      s.reply(200);
      s.clock.advance(0);
      assert.deepEqual(s.handler.statuses, [100, 200]);
      assert.equal(s.tx.state, "completed");
    });

    it("MUST stop retransmitting the request", () => {
      const s = setup();
      s.reply(404);
      s.clock.advance(60_000);
      assert.deepEqual(s.net.times(isRequest("OPTIONS")), [0]);
    });
  });

  describe("in 'completed'", () => {
    it("MUST absorb retransmitted responses (the TU sees the final once)", () => {
      const s = setup();
      s.reply(200);
      s.reply(200);
      s.clock.advance(0);
      s.reply(200);
      s.clock.advance(0);
      assert.deepEqual(s.handler.statuses, [200]);
    });

    it("MUST set Timer K to T4 over UDP, then terminate", () => {
      const s = setup();
      s.reply(200);
      s.clock.advance(0);
      s.clock.advance(T4 - 1);
      assert.equal(s.tx.state, "completed");
      s.clock.advance(1);
      assert.equal(s.tx.state, "terminated");
      assert.equal(s.handler.terminatedAt, T4);
      assert.equal(s.layer.clientCount, 0);
    });

    it("MUST set Timer K to 0 over TCP: terminated at once", () => {
      const s = setup("TCP");
      s.reply(200);
      s.clock.advance(0);
      assert.equal(s.tx.state, "terminated");
      assert.equal(s.handler.terminatedAt, 0);
    });
  });

  describe("RFC 3261 17.1.4 upon a transport error", () => {
    it("MUST inform the TU (503, 8.1.3.1) and transition to 'terminated'", async () => {
      const h = harness();
      const { layer } = layerOn(h, h.uac);
      h.net.failNext();
      const handler = new RecordingHandler(h.clock);
      const tx = layer.sendRequest(
        request({ method: "REGISTER", branch: null }),
        h.uas.destination(),
        handler,
      );
      await settle();
      assert.deepEqual(handler.statuses, [503]);
      assert.equal(tx.state, "terminated");
      assert.equal(tx.failure, "transport-error");
    });

    it("MUST treat a refused TCP connection as a transport error", async () => {
      const h = harness();
      const { layer } = layerOn(h, h.uac);
      const handler = new RecordingHandler(h.clock);
      layer.sendRequest(
        request({ method: "OPTIONS", branch: null }),
        { protocol: "TCP", address: "127.0.0.9", port: 5060 },
        handler,
      );
      await settle();
      assert.deepEqual(handler.statuses, [503]);
    });
  });

  it("SHOULD keep the synthesized 408 consistent with the request (createResponse of the original)", () => {
    const s = setup();
    s.clock.advance(64 * T1);
    const response = s.handler.responses[0].response;
    const sent = s.arrived[0].message as SipRequest;
    assert.equal(response.callId, sent.callId);
    assert.deepEqual(response.cseq, sent.cseq);
    assert.equal(response.topVia?.branch, sent.topVia?.branch);
  });
});
