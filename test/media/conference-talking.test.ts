/**
 * The conference room's talking flags as the signalling side sees them (issue 17, the live
 * view's talkers): a participant whose audio is mixed is reported talking at once, and quiet
 * again only after the hangover (about 500 ms, so the view does not flicker between words); a
 * muted participant is never reported talking. Real media worker over UDP on 127.0.0.1.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { EndpointHandle } from "../../src/media/endpoint-handle.js";
import { MediaEngine } from "../../src/media/media-engine.js";
import { freePort } from "../helpers/ports.js";
import { HOST, RtpPeer, until } from "../helpers/rtp-peer.js";

describe("EndpointHandle.onTalking() in a conference room", () => {
  let engine: MediaEngine;
  const open: EndpointHandle[] = [];
  const peers: RtpPeer[] = [];

  async function member(
    room: string,
  ): Promise<{ ep: EndpointHandle; peer: RtpPeer; events: Array<[boolean, number]> }> {
    const ep = await engine.openEndpoint({ room });
    const peer = await RtpPeer.open();
    open.push(ep);
    peers.push(peer);
    await ep.setRemote({ address: HOST, port: peer.port, rtcpMux: false, codec: "PCMU", send: true });
    const events: Array<[boolean, number]> = [];
    ep.onTalking((talking) => events.push([talking, Date.now()]));
    ep.conference(room, { tones: false });
    return { ep, peer, events };
  }

  before(async () => {
    const base = await freePort();
    engine = new MediaEngine({
      minPort: 30000 + (base % 20000),
      maxPort: 30000 + (base % 20000) + 99,
      workers: 1,
      bindAddress: HOST,
    });
    await engine.start();
  });

  after(async () => {
    for (const ep of open) await ep.close();
    for (const p of peers) p.close();
    await engine.close();
  });

  it("reports a talker once when it starts, and once after the hangover when it stops", async () => {
    const a = await member("talk-room");
    const b = await member("talk-room");
    const sent = a.peer.sendTone(a.ep.port, 800, 600);
    await until(() => a.events.length >= 1);
    assert.equal(a.ep.talking, true);
    await sent;
    const stoppedSending = Date.now();
    await until(() => a.events.length >= 2, 3000);
    assert.deepEqual(
      a.events.map(([t]) => t),
      [true, false],
    );
    const hangover = a.events[1][1] - stoppedSending;
    assert.ok(hangover >= 300 && hangover < 1500, `quiet reported after the hangover (${hangover} ms)`);
    assert.equal(a.ep.talking, false);
    assert.deepEqual(b.events, [], "the silent one never talked");
  });

  it("never reports a muted participant talking", async () => {
    const a = await member("muted-talk-room");
    await member("muted-talk-room");
    await a.ep.participant({ muted: true });
    await a.peer.sendTone(a.ep.port, 800, 400);
    // What is tested is that no event comes: a window of 200 ms on purpose.
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(a.events, []);
  });
});
