import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { requestTarget, resolveIpLiteral } from "../../src/dialog/request-target.js";
import type { DialogEndCause } from "../../src/dialog/types.js";
import { createResponse, parseUri } from "../../src/sip/index.js";
import type { SipRequest } from "../../src/sip/types.js";
import { both, establish, from, pair, request, response, run, SDP, T1 } from "./harness.js";

const P1 = "<sip:127.0.0.1:5070;lr;p=1>";
const P2 = "<sip:127.0.0.2:5080;lr;p=2>";

describe("RFC 3261 12.2.1.1 Request-URI and Route of a request within a dialog", () => {
  describe("with an empty route set", () => {
    it("MUST put the remote target in the Request-URI and add no Route", () => {
      assert.deepEqual(requestTarget("sip:bob@10.0.0.2", []), {
        uri: "sip:bob@10.0.0.2",
        routes: [],
        nextHop: "sip:bob@10.0.0.2",
      });
    });
  });

  describe("when the first route has lr (loose routing)", () => {
    it("MUST put the remote target in the Request-URI and the whole route set in Route, in order", () => {
      const t = requestTarget("sip:bob@10.0.0.2", ["<sip:p1.example;lr>", "<sip:p2.example;lr>"]);
      assert.equal(t.uri, "sip:bob@10.0.0.2");
      assert.deepEqual(t.routes, ["<sip:p1.example;lr>", "<sip:p2.example;lr>"]);
      assert.equal(t.nextHop, "sip:p1.example;lr");
    });
  });

  describe("when the first route lacks lr (strict routing)", () => {
    it("MUST put the first route in the Request-URI, stripped of disallowed parameters, and the remote target last in Route", () => {
      const t = requestTarget("sip:bob@10.0.0.2", [
        "<sip:p1.example;method=INVITE;x=1>",
        "<sip:p2.example;lr>",
      ]);
      assert.equal(t.uri, "sip:p1.example;x=1");
      assert.deepEqual(t.routes, ["<sip:p2.example;lr>", "<sip:bob@10.0.0.2>"]);
      assert.equal(t.nextHop, "sip:p1.example;x=1");
    });
  });
});

describe("RFC 3263 4.1 next hop of a request (IP literals only)", () => {
  it("MUST take the transport from the URI's transport parameter, UDP by default, TLS for sips", () => {
    assert.deepEqual(resolveIpLiteral(parseUri("sip:10.0.0.1")!), {
      protocol: "UDP",
      address: "10.0.0.1",
      port: 5060,
    });
    assert.deepEqual(resolveIpLiteral(parseUri("sip:10.0.0.1:5070;transport=tcp")!), {
      protocol: "TCP",
      address: "10.0.0.1",
      port: 5070,
    });
    assert.deepEqual(resolveIpLiteral(parseUri("sips:[::1]")!), {
      protocol: "TLS",
      address: "::1",
      port: 5061,
    });
  });
  it("MUST NOT resolve a host name (left to the layer above)", () => {
    assert.equal(resolveIpLiteral(parseUri("sip:proxy.example.com")!), undefined);
  });
});

describe("RFC 3261 12.2.1.1 generating a request within a dialog", () => {
  it("MUST increment the local CSeq by one from the INVITE's and carry the dialog's tags and Call-ID", async () => {
    const p = pair();
    const { uac, aliceDialog } = await establish(p);
    const info = aliceDialog.createRequest("INFO");
    assert.equal(info.cseq!.seq, uac.request.cseq!.seq + 1);
    assert.equal(info.from!.tag, aliceDialog.localTag);
    assert.equal(info.to!.tag, aliceDialog.remoteTag);
    assert.equal(info.callId, uac.callId);
    assert.equal(info.uriText, p.bob.contact);
    assert.equal(aliceDialog.createRequest("INFO").cseq!.seq, uac.request.cseq!.seq + 2);
  });

  it("MUST choose a random initial CSeq below 2**31 when the local sequence number is empty (UAS side)", async () => {
    const p = pair();
    const { bobDialog } = await establish(p);
    const seq = bobDialog.createRequest("INFO").cseq!.seq;
    assert.ok(seq >= 1 && seq < 2 ** 31);
  });

  it("SHOULD add Contact to target refresh requests (re-INVITE, UPDATE)", async () => {
    const p = pair();
    const { aliceDialog } = await establish(p);
    assert.equal(aliceDialog.createRequest("UPDATE").get("contact"), `<${p.alice.contact}>`);
    assert.equal(aliceDialog.createRequest("INFO").get("contact"), undefined);
  });

  it("MUST NOT build ACK or CANCEL with a new CSeq", async () => {
    const p = pair();
    const { aliceDialog } = await establish(p);
    assert.throws(() => aliceDialog.createRequest("ACK"));
    assert.throws(() => aliceDialog.createRequest("CANCEL"));
  });

  describe("with a loose-routing route set", () => {
    it("MUST send to the first route with Route set and the remote target as Request-URI", async () => {
      const p = pair();
      const { aliceDialog, bobDialog } = await establish(p, { headers: [["Record-Route", `${P1}, ${P2}`]] });
      bobDialog.on("request", ({ tx }) => bobDialog.respond(tx, 200));
      const done = aliceDialog.request("INFO");
      await run(p.clock, 20);
      assert.equal((await done).status, 200);
      const info = p.net.packets(request("INFO"))[0];
      assert.deepEqual(info.message!.getAll("route"), [P2, P1]);
      assert.equal((info.message as SipRequest).uriText, p.bob.contact);
      assert.deepEqual(info.to, { address: "127.0.0.2", port: 5080 });
      // Bob's requests go the other way round: Route P1, P2 to P1 (Alice's address).
      const back = bobDialog.request("OPTIONS");
      aliceDialog.on("request", ({ tx }) => aliceDialog.respond(tx, 200));
      await run(p.clock, 20);
      assert.equal((await back).status, 200);
      assert.deepEqual(p.net.packets(request("OPTIONS"))[0].message!.getAll("route"), [P1, P2]);
    });
  });

  describe("with a strict-routing route set", () => {
    it("MUST send to the strict router in the Request-URI, with the remote target as last Route", async () => {
      const p = pair();
      const strict = "<sip:127.0.0.2:5080;p=strict>";
      const { aliceDialog, bobDialog } = await establish(p, { headers: [["Record-Route", strict]] });
      bobDialog.on("request", ({ tx }) => bobDialog.respond(tx, 200));
      const done = aliceDialog.request("INFO");
      await run(p.clock, 20);
      assert.equal((await done).status, 200);
      const info = p.net.packets(request("INFO"))[0];
      assert.equal((info.message as SipRequest).uriText, "sip:127.0.0.2:5080;p=strict");
      assert.deepEqual(info.message!.getAll("route"), [`<${p.bob.contact}>`]);
    });
  });
});

describe("RFC 3261 12.2.2 UAS behavior for requests within a dialog", () => {
  describe("upon a request with a CSeq lower than the remote sequence number", () => {
    it("MUST reject it with 500 (Server Internal Error)", async () => {
      const p = pair();
      const { aliceDialog, bobDialog } = await establish(p);
      const seen: string[] = [];
      bobDialog.on("request", ({ request: r, tx }) => {
        seen.push(r.method);
        bobDialog.respond(tx, 200);
      });
      const info = aliceDialog.createRequest("INFO");
      info.set("CSeq", `${info.cseq!.seq - 5} INFO`);
      const done = aliceDialog.send(info);
      await run(p.clock, 20);
      assert.equal((await done).status, 500);
      assert.deepEqual(seen, []);
      assert.equal(bobDialog.state, "confirmed");
    });
  });

  describe("upon a request with a higher CSeq", () => {
    it("MUST pass it to the TU and raise the remote sequence number", async () => {
      const p = pair();
      const { aliceDialog, bobDialog } = await establish(p);
      bobDialog.on("request", ({ tx }) => bobDialog.respond(tx, 200));
      const info = aliceDialog.createRequest("INFO");
      info.set("CSeq", `${info.cseq!.seq + 10} INFO`);
      const done = aliceDialog.send(info);
      await run(p.clock, 20);
      assert.equal((await done).status, 200);
      assert.equal(bobDialog.remoteSeq, info.cseq!.seq);
    });
  });

  describe("upon a request with a To tag matching no dialog", () => {
    it("MUST answer 481, and the UAC SHOULD then terminate its dialog (12.2.1.2)", async () => {
      const p = pair();
      const { aliceDialog } = await establish(p);
      const ended: DialogEndCause[] = [];
      aliceDialog.on("terminated", ({ cause }) => ended.push(cause));
      const info = aliceDialog.createRequest("INFO");
      info.set("To", "<sip:bob@example.com>;tag=unknown");
      const done = aliceDialog.send(info);
      await run(p.clock, 20);
      assert.equal((await done).status, 481);
      assert.deepEqual(ended, ["request-failed"]);
      assert.equal(p.bob.core.outOfDialog.length, 0);
    });
  });

  describe("upon a target refresh request (re-INVITE)", () => {
    it("MUST replace the remote target with the request's Contact, and get the ACK for its 2xx", async () => {
      const p = pair();
      const { aliceDialog, bobDialog } = await establish(p);
      const targets: string[] = [];
      bobDialog.on("targetRefresh", ({ remoteTarget }) => targets.push(remoteTarget));
      const acks: string[] = [];
      bobDialog.on("ack", ({ request: ack }) => acks.push(ack.cseq!.method));
      bobDialog.on("request", ({ tx }) => bobDialog.respond(tx, 200, { body: SDP }));
      const reinvite = aliceDialog.createRequest("INVITE", { body: SDP });
      reinvite.set("Contact", "<sip:alice-moved@127.0.0.1:5070>");
      const done = aliceDialog.send(reinvite);
      await run(p.clock, 20);
      assert.equal((await done).status, 200);
      assert.deepEqual(targets, ["sip:alice-moved@127.0.0.1:5070"]);
      assert.equal(bobDialog.remoteTarget, "sip:alice-moved@127.0.0.1:5070");
      assert.deepEqual(acks, ["ACK"]);
      const ack = p.net.packets(request("ACK")).at(-1)!.message!;
      assert.equal(ack.cseq!.seq, reinvite.cseq!.seq);
    });
  });

  describe("upon a 2xx to a target refresh Parley sent (12.2.1.2)", () => {
    it("MUST replace the remote target with the 2xx's Contact", async () => {
      const p = pair();
      const { aliceDialog, bobDialog } = await establish(p);
      bobDialog.on("request", ({ request: r, tx }) =>
        tx.respond(
          createResponse(r, 200, undefined, { headers: [["Contact", "<sip:bob-moved@127.0.0.2:5080>"]] }),
        ),
      );
      const done = aliceDialog.request("UPDATE");
      await run(p.clock, 20);
      assert.equal((await done).status, 200);
      assert.equal(aliceDialog.remoteTarget, "sip:bob-moved@127.0.0.2:5080");
    });
  });
});

describe("RFC 3261 15 terminating a session with BYE", () => {
  it("the UAC MUST consider the dialog terminated once BYE is sent; the UAS answers 200 and terminates", async () => {
    const p = pair();
    const { aliceDialog, bobDialog } = await establish(p);
    const ended: string[] = [];
    aliceDialog.on("terminated", ({ cause }) => ended.push(`alice ${cause}`));
    bobDialog.on("terminated", ({ cause }) => ended.push(`bob ${cause}`));
    const done = aliceDialog.bye();
    assert.equal(aliceDialog.state, "terminated");
    await run(p.clock, 20);
    assert.equal((await done).status, 200);
    assert.deepEqual(ended, ["alice bye-sent", "bob bye-received"]);
    assert.equal(p.alice.dialogs.size + p.bob.dialogs.size, 0);
  });

  it("a request after termination MUST NOT be built", async () => {
    const p = pair();
    const { aliceDialog } = await establish(p);
    aliceDialog.close();
    aliceDialog.close();
    assert.throws(() => aliceDialog.createRequest("INFO"));
  });
});

describe("RFC 3261 12.2.1.2 upon a 408 to a request within a dialog", () => {
  it("SHOULD terminate the dialog", async () => {
    const p = pair();
    const { aliceDialog } = await establish(p);
    p.net.dropAll(both(from(p.alice), request("INFO")));
    const done = aliceDialog.request("INFO");
    await run(p.clock, 64 * T1 + 100, 100);
    assert.equal((await done).status, 408);
    assert.equal(aliceDialog.state, "terminated");
    assert.equal(p.net.packets(response(408)).length, 0);
  });
});
