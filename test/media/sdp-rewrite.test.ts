import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { readSdpAudio, rewriteSdp } from "../../src/media/sdp-rewrite.js";

const offer = [
  "v=0",
  "o=- 1 2 IN IP4 192.168.1.20",
  "s=-",
  "c=IN IP4 192.168.1.20",
  "t=0 0",
  "a=sendrecv",
  "m=audio 40000 RTP/AVP 0 8 101",
  "a=rtpmap:101 telephone-event/8000",
  "a=fmtp:101 0-15",
  "a=rtcp:40001",
  "a=rtcp-mux",
  "a=candidate:1 1 UDP 2130706431 192.168.1.20 40000 typ host",
  "a=ice-ufrag:abcd",
  "m=video 40002 RTP/AVP 96",
  "c=IN IP4 192.168.1.20",
  "",
].join("\r\n");

describe("readSdpAudio()", () => {
  it("reads the first audio stream's address, port, rtcp-mux and direction", () => {
    assert.deepEqual(readSdpAudio(Buffer.from(offer)), {
      address: "192.168.1.20",
      port: 40000,
      rtcpMux: true,
      direction: "sendrecv",
    });
  });
  it("prefers a media-level c= and a=sendonly (hold, RFC 3264 8.4)", () => {
    const sdp = "v=0\r\nc=IN IP4 1.1.1.1\r\nm=audio 5000 RTP/AVP 0\r\nc=IN IP4 10.0.0.1\r\na=sendonly\r\n";
    assert.deepEqual(readSdpAudio(Buffer.from(sdp)), {
      address: "10.0.0.1",
      port: 5000,
      rtcpMux: false,
      direction: "sendonly",
    });
  });
  it("treats c=0.0.0.0 as inactive (RFC 2543 hold)", () => {
    const sdp = "v=0\nc=IN IP4 0.0.0.0\nm=audio 5000 RTP/AVP 0\n";
    assert.equal(readSdpAudio(Buffer.from(sdp))?.direction, "inactive");
  });
  it("returns undefined without an audio stream or with garbage", () => {
    assert.equal(readSdpAudio(Buffer.from("v=0\r\nm=video 1 RTP/AVP 96\r\nc=IN IP4 1.2.3.4\r\n")), undefined);
    assert.equal(readSdpAudio(Buffer.from("\u0000\u0001 not sdp")), undefined);
    assert.equal(readSdpAudio(Buffer.from("m=audio 99999 RTP/AVP 0\r\nc=IN IP4 1.2.3.4\r\n")), undefined);
  });
});

describe("rewriteSdp()", () => {
  const out = rewriteSdp(Buffer.from(offer), { address: "203.0.113.7", port: 10010 }).toString();
  it("aims every c= line and the audio port at the relay, keeping codecs and telephone-event", () => {
    assert.match(out, /^c=IN IP4 203\.0\.113\.7\r$/m);
    assert.doesNotMatch(out, /c=IN IP4 192\.168/);
    assert.match(out, /^m=audio 10010 RTP\/AVP 0 8 101\r$/m);
    assert.match(out, /a=rtpmap:101 telephone-event\/8000/);
    assert.match(out, /a=rtcp-mux/);
  });
  it("declines other streams with port 0 and drops ICE and a=rtcp", () => {
    assert.match(out, /^m=video 0 RTP\/AVP 96\r$/m);
    assert.doesNotMatch(out, /a=candidate|a=ice-|a=rtcp:/);
  });
  it("keeps CRLF line ends and the origin line", () => {
    assert.ok(out.endsWith("\r\n"));
    assert.match(out, /^o=- 1 2 IN IP4 192\.168\.1\.20\r$/m);
  });
  it("writes IN IP6 for an IPv6 relay and keeps a 0.0.0.0 hold", () => {
    const hold = "v=0\r\nc=IN IP4 0.0.0.0\r\nm=audio 5000 RTP/AVP 0\r\n";
    assert.match(
      rewriteSdp(Buffer.from(hold), { address: "::1", port: 10000 }).toString(),
      /c=IN IP4 0\.0\.0\.0/,
    );
    const v4 = "v=0\r\nc=IN IP4 10.0.0.1\r\nm=audio 5000 RTP/AVP 0\r\n";
    assert.match(rewriteSdp(Buffer.from(v4), { address: "::1", port: 10000 }).toString(), /c=IN IP6 ::1/);
  });
  it("returns a body without audio unchanged", () => {
    const b = Buffer.from("hello");
    assert.equal(rewriteSdp(b, { address: "1.2.3.4", port: 1 }), b);
  });
});
