import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { answerOffer, makeOffer, readAnswer } from "../../src/media/sdp-negotiation.js";

const local = { address: "192.0.2.10", port: 20000, sessionId: 42, version: 1 };

function offer(media: string, extra = ""): string {
  return `v=0\r\no=phone 1 1 IN IP4 198.51.100.7\r\ns=-\r\nc=IN IP4 198.51.100.7\r\nt=0 0\r\n${media}${extra}`;
}

describe("SDP offer/answer for Parley's endpoints (RFC 3264)", () => {
  it("answers the offerer's first G.711 codec with its telephone-event payload type", () => {
    const r = answerOffer(
      offer(
        "m=audio 4000 RTP/AVP 9 8 0 96\r\na=rtpmap:9 G722/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:96 telephone-event/8000\r\na=fmtp:96 0-15\r\n",
      ),
      local,
    );
    assert.ok(r.ok);
    assert.deepEqual(r.remote, {
      address: "198.51.100.7",
      port: 4000,
      rtcpMux: false,
      codec: "PCMA",
      telephoneEvent: 96,
      send: true,
    });
    assert.match(r.sdp, /^m=audio 20000 RTP\/AVP 8 96\r$/m);
    assert.match(r.sdp, /^a=rtpmap:96 telephone-event\/8000\r$/m);
    assert.match(r.sdp, /^c=IN IP4 192\.0\.2\.10\r$/m);
    assert.match(r.sdp, /^a=sendrecv\r$/m);
    assert.match(r.sdp, /^a=ptime:20\r$/m);
  });

  it("refuses an offer without G.711 with 488 and a Warning naming what Parley speaks", () => {
    const r = answerOffer(offer("m=audio 4000 RTP/AVP 9 18\r\na=rtpmap:9 G722/8000\r\n"), local);
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.equal(r.status, 488);
    assert.match(r.warning, /^305 parley ".*PCMU.*PCMA.*telephone-event"$/);
  });

  it("refuses SRTP-only and garbage offers the same way", () => {
    assert.equal(answerOffer(offer("m=audio 4000 RTP/SAVP 0\r\n"), local).ok, false);
    assert.equal(answerOffer("not sdp at all", local).ok, false);
    assert.equal(answerOffer("", local).ok, false);
  });

  it("mirrors hold (sendonly -> recvonly, Parley sends nothing) and declines other streams with port 0", () => {
    const r = answerOffer(
      offer("m=video 5000 RTP/AVP 97\r\nm=audio 4000 RTP/AVP 0\r\na=sendonly\r\n"),
      local,
    );
    assert.ok(r.ok);
    assert.equal(r.remote.send, false);
    assert.match(r.sdp, /^m=video 0 RTP\/AVP 97\r$/m);
    assert.match(r.sdp, /^a=recvonly\r$/m);
    assert.equal(r.remote.telephoneEvent, undefined);
  });

  it("treats c=0.0.0.0 as hold (RFC 2543 style)", () => {
    const held = offer("m=audio 4000 RTP/AVP 0\r\n").replace("c=IN IP4 198.51.100.7", "c=IN IP4 0.0.0.0");
    const r = answerOffer(held, local);
    assert.ok(r.ok);
    assert.equal(r.remote.send, false);
    assert.match(r.sdp, /^a=inactive\r$/m);
  });

  it("offers PCMU, PCMA and telephone-event when the INVITE had no SDP, and reads the answer", () => {
    const o = makeOffer(local);
    assert.match(o, /^m=audio 20000 RTP\/AVP 0 8 101\r$/m);
    const remote = readAnswer(offer("m=audio 4002 RTP/AVP 8 101\r\na=rtpmap:101 telephone-event/8000\r\n"));
    assert.equal(remote?.codec, "PCMA");
    assert.equal(remote?.telephoneEvent, 101);
    assert.equal(readAnswer(offer("m=audio 4002 RTP/AVP 9\r\n")), undefined);
  });
});
