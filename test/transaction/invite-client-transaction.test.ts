import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { SipRequest } from "../../src/sip/types.js";
import { TransactionLayer } from "../../src/transaction/index.js";
import type { ReceivedMessage, TransportProtocol } from "../../src/transport/types.js";
import {
  answer,
  harness,
  isRequest,
  layerOn,
  RecordingHandler,
  RecordingUser,
  request,
  settle,
  T1,
} from "./harness.js";

/** A TransactionLayer on "uac" sending an INVITE to a raw peer "uas" that records what arrives. */
function setup(protocol: TransportProtocol = "UDP", routes?: string[]) {
  const h = harness();
  const { layer } = layerOn(h, h.uac);
  const arrived: ReceivedMessage[] = [];
  h.uas.onMessage((rx) => arrived.push(rx));
  const handler = new RecordingHandler(h.clock);
  const invite = request({ method: "INVITE", branch: null, protocol, routes });
  const tx = layer.sendRequest(invite, h.uas.destination(protocol), handler);
  h.clock.advance(0);
  const firstInvite = () => arrived.find((rx) => (rx.message as SipRequest).method === "INVITE")!;
  const reply = (status: number) => h.uas.sendResponse(answer(firstInvite(), status), firstInvite());
  return { ...h, layer, arrived, handler, invite, tx, reply };
}

describe("RFC 3261 17.1.1.2 INVITE client transaction", () => {
  describe("in 'calling' over UDP", () => {
    it("MUST retransmit the INVITE at T1, 2·T1, 4·T1 … (Timer A) until Timer B fires", () => {
      const s = setup();
      s.clock.advance(64 * T1);
      assert.deepEqual(s.net.times(isRequest("INVITE")), [0, 500, 1500, 3500, 7500, 15500, 31500]);
    });

    it("MUST report a timeout to the TU as 408 when Timer B fires after 64·T1", () => {
      const s = setup();
      s.clock.advance(64 * T1 - 1);
      assert.equal(s.tx.state, "calling");
      assert.deepEqual(s.handler.statuses, []);
      s.clock.advance(1);
      assert.deepEqual(s.handler.statuses, [408]);
      assert.equal(s.handler.responses[0].at, 64 * T1);
      assert.equal(s.tx.state, "terminated");
      assert.equal(s.tx.failure, "timeout");
      assert.equal(s.handler.terminatedAt, 64 * T1);
      assert.equal(s.layer.clientCount, 0);
    });

    it("MUST add a top Via whose branch begins with the magic cookie z9hG4bK (8.1.1.7)", () => {
      const s = setup();
      assert.match(s.invite.topVia?.branch ?? "", /^z9hG4bK./);
      assert.equal(s.arrived[0].message.topVia?.branch, s.invite.topVia?.branch);
    });
  });

  describe("in 'calling' over TCP", () => {
    it("MUST NOT start Timer A: the INVITE is sent once", () => {
      const s = setup("TCP");
      s.clock.advance(64 * T1 - 1);
      assert.deepEqual(s.net.times(isRequest("INVITE")), [0]);
    });

    it("MUST still start Timer B with 64·T1 and report 408", () => {
      const s = setup("TCP");
      s.clock.advance(64 * T1);
      assert.deepEqual(s.handler.statuses, [408]);
      assert.equal(s.tx.state, "terminated");
    });
  });

  describe("upon a 1xx response in 'calling'", () => {
    it("MUST transition to 'proceeding', pass it to the TU and stop retransmitting", () => {
      const s = setup();
      s.clock.advance(600);
      s.reply(180);
      s.clock.advance(0);
      assert.equal(s.tx.state, "proceeding");
      assert.deepEqual(s.handler.statuses, [180]);
      s.clock.advance(60_000);
      assert.deepEqual(s.net.times(isRequest("INVITE")), [0, 500]);
    });

    it("MUST pass every further provisional response to the TU in 'proceeding'", () => {
      const s = setup();
      s.reply(100);
      s.reply(180);
      s.reply(183);
      s.clock.advance(0);
      assert.deepEqual(s.handler.statuses, [100, 180, 183]);
      assert.equal(s.tx.state, "proceeding");
    });

    it("MUST NOT time out with Timer B once in 'proceeding' (B runs only in 'calling')", () => {
      const s = setup();
      s.reply(180);
      s.clock.advance(10 * 64 * T1);
      assert.equal(s.tx.state, "proceeding");
      assert.deepEqual(s.handler.statuses, [180]);
    });
  });

  describe("upon a 300-699 response in 'calling' or 'proceeding'", () => {
    it("MUST transition to 'completed' and pass the response to the TU", () => {
      const s = setup();
      s.reply(180);
      s.reply(486);
      s.clock.advance(0);
      assert.deepEqual(s.handler.statuses, [180, 486]);
      assert.equal(s.tx.state, "completed");
    });

    it("MUST send an ACK built per 17.1.1.3 (R-URI, Call-ID, From, To of the response, one Via, CSeq n ACK, Route)", () => {
      const routes = ["<sip:p1.example.com;lr>", "<sip:p2.example.com;lr>"];
      const s = setup("UDP", routes);
      s.reply(486);
      s.clock.advance(0);
      const acks = s.arrived.filter((rx) => (rx.message as SipRequest).method === "ACK");
      assert.equal(acks.length, 1);
      const ack = acks[0].message as SipRequest;
      const invite = s.arrived[0].message as SipRequest;
      assert.equal(ack.uriText, invite.uriText);
      assert.equal(ack.callId, invite.callId);
      assert.equal(ack.get("from"), invite.get("from"));
      assert.equal(ack.to?.tag, "b-tag");
      assert.equal(ack.vias.length, 1);
      assert.equal(ack.topVia?.branch, invite.topVia?.branch);
      assert.equal(ack.topVia?.host, invite.topVia?.host);
      assert.equal(ack.topVia?.port, invite.topVia?.port);
      assert.deepEqual(ack.cseq, { seq: invite.cseq?.seq, method: "ACK" });
      assert.deepEqual(ack.getAll("route"), routes);
    });

    it("MUST send the ACK even over a reliable transport", () => {
      const s = setup("TCP");
      s.reply(603);
      s.clock.advance(0);
      assert.equal(s.net.packets(isRequest("ACK")).length, 1);
    });
  });

  describe("in 'completed'", () => {
    it("MUST re-send the ACK for each retransmitted final response and MUST NOT pass it to the TU", () => {
      const s = setup();
      s.reply(486);
      s.clock.advance(0);
      s.reply(486);
      s.clock.advance(0);
      s.reply(486);
      s.clock.advance(0);
      assert.equal(s.net.packets(isRequest("ACK")).length, 3);
      assert.deepEqual(s.handler.statuses, [486]);
    });

    it("MUST start Timer D at 32 s over UDP and terminate when it fires", () => {
      const s = setup();
      s.reply(486);
      s.clock.advance(0);
      s.clock.advance(32_000 - 1);
      assert.equal(s.tx.state, "completed");
      s.clock.advance(1);
      assert.equal(s.tx.state, "terminated");
      assert.equal(s.layer.clientCount, 0);
    });

    it("MUST set Timer D to 0 over TCP: the transaction terminates at once", () => {
      const s = setup("TCP");
      s.reply(486);
      s.clock.advance(0);
      assert.equal(s.tx.state, "terminated");
      assert.equal(s.handler.terminatedAt, 0);
      assert.deepEqual(s.handler.statuses, [486]);
    });
  });

  describe("RFC 6026 8.4: upon a 2xx response in 'calling' or 'proceeding'", () => {
    it("MUST transition to 'accepted' and pass the 2xx to the TU without generating an ACK", () => {
      const s = setup();
      s.reply(200);
      s.clock.advance(0);
      assert.equal(s.tx.state, "accepted");
      assert.deepEqual(s.handler.statuses, [200]);
      assert.equal(s.net.packets(isRequest("ACK")).length, 0);
    });

    it("MUST pass each further 2xx to the TU in 'accepted' (retransmissions, forks)", () => {
      const s = setup();
      s.reply(200);
      s.clock.advance(0);
      s.reply(200);
      s.clock.advance(0);
      assert.deepEqual(s.handler.statuses, [200, 200]);
    });

    it("MUST terminate when Timer M fires after 64·T1, over UDP and TCP alike", () => {
      for (const protocol of ["UDP", "TCP"] as const) {
        const s = setup(protocol);
        s.reply(200);
        s.clock.advance(0);
        s.clock.advance(64 * T1 - 1);
        assert.equal(s.tx.state, "accepted");
        s.clock.advance(1);
        assert.equal(s.tx.state, "terminated");
      }
    });

    it("MUST stop retransmitting the INVITE", () => {
      const s = setup();
      s.reply(200);
      s.clock.advance(60_000);
      assert.deepEqual(s.net.times(isRequest("INVITE")), [0]);
    });
  });

  describe("RFC 3261 17.1.4 upon a transport error", () => {
    it("MUST inform the TU (as a 503, 8.1.3.1) and transition to 'terminated'", async () => {
      const h = harness();
      const { layer } = layerOn(h, h.uac);
      h.net.failNext(1, isRequest("INVITE"));
      const handler = new RecordingHandler(h.clock);
      const tx = layer.sendRequest(request({ branch: null }), h.uas.destination(), handler);
      await settle();
      assert.deepEqual(handler.statuses, [503]);
      assert.equal(tx.state, "terminated");
      assert.equal(tx.failure, "transport-error");
      assert.equal(layer.clientCount, 0);
    });

    it("MUST report a retransmission that cannot be sent the same way", async () => {
      const s = setup();
      s.net.failAll(isRequest("INVITE"));
      s.clock.advance(T1);
      await settle();
      assert.deepEqual(s.handler.statuses, [503]);
      assert.equal(s.tx.state, "terminated");
    });
  });

  describe("RFC 3261 17.1.1.1 timer values", () => {
    it("MUST derive Timer A and B from a configured T1", () => {
      const h = harness();
      const layer = new TransactionLayer({
        transport: h.uac,
        clock: h.clock,
        timers: { t1: 100 },
        user: new RecordingUser(),
      });
      const handler = new RecordingHandler(h.clock);
      layer.sendRequest(request({ branch: null }), h.uas.destination(), handler);
      h.clock.advance(64 * 100);
      assert.deepEqual(h.net.times(isRequest("INVITE")), [0, 100, 300, 700, 1500, 3100, 6300]);
      assert.deepEqual(handler.statuses, [408]);
    });
  });
});
