/**
 * Covers issue 20's SDP conversions: a Chrome 120+ style offer read as WebRTC, turned into the
 * SDP a plain RTP phone sees, and a phone's SDP turned into what a browser (werift) accepts.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RTCPeerConnection } from "werift";
import { plainToWebRtc, readWebRtcAudio, webRtcToPlain } from "../../../src/media/webrtc/webrtc-sdp.js";

const FINGERPRINT =
  "sha-256 2E:0F:66:8C:6A:8D:9F:0B:DE:A2:8B:7C:4B:A5:5A:3F:11:8A:B4:B2:DD:57:C1:8F:77:1E:0C:9B:8E:4E:33:01";
/** As Chrome 120+ offers audio (from memory of its offers: opus, red, G722, PCMU, PCMA, CN, telephone-event). */
const CHROME_OFFER = [
  "v=0",
  "o=- 4611731400430051336 2 IN IP4 127.0.0.1",
  "s=-",
  "t=0 0",
  "a=group:BUNDLE 0",
  "a=extmap-allow-mixed",
  "a=msid-semantic: WMS 7f2b3c4d",
  "m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126",
  "c=IN IP4 0.0.0.0",
  "a=rtcp:9 IN IP4 0.0.0.0",
  "a=candidate:1467250027 1 udp 2122260223 192.0.2.10 54321 typ host generation 0 network-id 1",
  "a=ice-ufrag:Fx3k",
  "a=ice-pwd:LrS8w3wQ7wbtN9bnk8Hc5c3d",
  "a=ice-options:trickle",
  `a=fingerprint:${FINGERPRINT}`,
  "a=setup:actpass",
  "a=mid:0",
  "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level",
  "a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time",
  "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid",
  "a=sendrecv",
  "a=msid:7f2b3c4d 5e6f7a8b",
  "a=rtcp-mux",
  "a=rtcp-rsize",
  "a=rtpmap:111 opus/48000/2",
  "a=rtcp-fb:111 transport-cc",
  "a=fmtp:111 minptime=10;useinbandfec=1",
  "a=rtpmap:63 red/48000/2",
  "a=fmtp:63 111/111",
  "a=rtpmap:9 G722/8000",
  "a=rtpmap:0 PCMU/8000",
  "a=rtpmap:8 PCMA/8000",
  "a=rtpmap:13 CN/8000",
  "a=rtpmap:110 telephone-event/48000",
  "a=rtpmap:126 telephone-event/8000",
  "a=ssrc:1001 cname:abcdEFGH",
  "a=ssrc:1001 msid:7f2b3c4d 5e6f7a8b",
  "m=video 9 UDP/TLS/RTP/SAVPF 96",
  "c=IN IP4 0.0.0.0",
  "a=mid:1",
  "a=rtpmap:96 VP8/90000",
  "",
].join("\r\n");

const LOCAL = {
  ice: { ufrag: "ParL3yUf", pwd: "abcdefghijklmnopqrstuvwx" },
  fingerprint:
    "sha-256 AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99",
};

describe("readWebRtcAudio()", () => {
  it("reads a Chrome offer's ICE credentials, fingerprint, mid and setup", () => {
    assert.deepEqual(readWebRtcAudio(Buffer.from(CHROME_OFFER)), {
      ice: { ufrag: "Fx3k", pwd: "LrS8w3wQ7wbtN9bnk8Hc5c3d" },
      fingerprint: { algorithm: "sha-256", value: FINGERPRINT.slice(8) },
      mid: "0",
      setup: "actpass",
    });
  });

  it("returns undefined for a plain RTP/AVP offer", () => {
    assert.equal(readWebRtcAudio(webRtcToPlain(CHROME_OFFER)), undefined);
  });
});

describe("webRtcToPlain()", () => {
  const plain = webRtcToPlain(CHROME_OFFER);
  it("offers RTP/AVP with PCMU, PCMA and telephone-event/8000 only, rejecting video", () => {
    assert.match(plain, /\r\nm=audio 9 RTP\/AVP 0 8 126\r\n/);
    assert.match(plain, /\r\nm=video 0 /);
    assert.doesNotMatch(plain, /opus|G722|red\/|CN\/|telephone-event\/48000/);
  });
  it("drops every WebRTC-only attribute and keeps rtcp-mux and the rest", () => {
    assert.doesNotMatch(
      plain,
      /a=(ice-|candidate|fingerprint|setup|mid|group|msid|ssrc|rtcp-fb|extmap:|rtcp-rsize)/,
    );
    assert.match(plain, /a=rtcp-mux\r\n/);
    assert.match(plain, /a=sendrecv\r\n/);
    assert.match(plain, /^v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n/);
  });
});

describe("plainToWebRtc()", () => {
  const phone =
    "v=0\r\no=phone 7 7 IN IP4 10.0.0.9\r\ns=call\r\nc=IN IP4 10.0.0.9\r\nt=0 0\r\nm=audio 4000 RTP/AVP 8 0 18 101\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:18 G729/8000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=rtcp:4001\r\na=sendrecv\r\nm=video 0 RTP/AVP 96\r\na=mid:1\r\n";
  const sdp = plainToWebRtc(
    phone,
    LOCAL,
    { address: "127.0.0.1", port: 30000 },
    { mid: "0", setup: "passive" },
  );
  it("answers with ice-lite, BUNDLE, SAVPF, ICE, DTLS and one host candidate", () => {
    assert.match(sdp, /t=0 0\r\na=ice-lite\r\na=group:BUNDLE 0\r\na=msid-semantic: WMS \*\r\n/);
    assert.match(sdp, /m=audio 30000 UDP\/TLS\/RTP\/SAVPF 8 0 101\r\nc=IN IP4 127.0.0.1\r\n/);
    for (const line of [
      "a=mid:0",
      "a=ice-ufrag:ParL3yUf",
      "a=ice-pwd:abcdefghijklmnopqrstuvwx",
      `a=fingerprint:${LOCAL.fingerprint}`,
      "a=setup:passive",
      "a=rtcp-mux",
      "a=candidate:1 1 udp 2130706431 127.0.0.1 30000 typ host",
      "a=end-of-candidates",
      "a=fmtp:101 0-16",
    ]) {
      assert.ok(sdp.includes(`\r\n${line}\r\n`), line);
    }
    assert.doesNotMatch(sdp, /G729|a=rtcp:4001/);
    assert.match(sdp, /m=video 0 RTP\/AVP 96\r\na=mid:1\r\n/);
  });

  it("is accepted by werift's RTCPeerConnection as the answer to its offer", async () => {
    const pc = new RTCPeerConnection({ iceServers: [], iceUseIpv6: false });
    pc.addTransceiver("audio", { direction: "sendrecv" });
    await pc.setLocalDescription(await pc.createOffer());
    const mid = readWebRtcAudio(pc.localDescription?.sdp ?? "")?.mid;
    const answer = plainToWebRtc(
      phone.slice(0, phone.indexOf("m=video")),
      LOCAL,
      { address: "127.0.0.1", port: 30000 },
      { mid, setup: "passive" },
    );
    await pc.setRemoteDescription({ type: "answer", sdp: answer });
    assert.equal(pc.remoteDescription?.type, "answer");
    await pc.close();
  });
});
