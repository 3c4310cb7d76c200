/**
 * The idle timeout of SIP WebSocket flows (issue 20), on a virtual clock with real `ws` clients:
 * a connection that never carried SIP closes after the idle time; one that did is pinged after
 * half of it (RFC 6455 5.5.2) and stays open while its pongs come back; a peer that stops
 * answering closes after the idle time.
 */
import assert from "node:assert/strict";
import { once } from "node:events";
import { afterEach, describe, it } from "node:test";
import { VirtualClock } from "../../src/util/clock.js";
import { type Harness, requestText, startTransport } from "./helpers.js";
import { WsPeer } from "./ws-helpers.js";

const IDLE = 1_000;

describe("SIP WebSocket flows and the idle timeout", () => {
  let h: Harness | undefined;
  let clock: VirtualClock;

  async function start(): Promise<string> {
    clock = new VirtualClock();
    h = await startTransport({
      listeners: [{ protocol: "WS", address: "127.0.0.1", port: 0 }],
      clock,
      idleTimeoutMs: IDLE,
      badMessageLingerMs: 100,
    });
    return `ws://127.0.0.1:${h.port("WS")}/`;
  }

  /** Send a SIP message and wait until the transport has taken it. */
  async function carrySip(peer: WsPeer, branch: string): Promise<void> {
    peer.send(requestText("OPTIONS", `SIP/2.0/WS x.invalid;branch=${branch}`));
    await h!.messages.next();
  }

  /** A ping from the client answered: the server has read everything the client sent before it. */
  async function roundTrip(peer: WsPeer): Promise<void> {
    const pong = once(peer.ws, "pong", { signal: AbortSignal.timeout(3_000) });
    peer.ws.ping();
    await pong;
  }

  afterEach(async () => {
    await h?.transport.stop();
    h = undefined;
  });

  it("closes a connection that never carried SIP after the idle time, without pinging it", async () => {
    const peer = await WsPeer.connect(await start());
    let pinged = false;
    peer.ws.on("ping", () => (pinged = true));
    clock.advance(IDLE / 2);
    clock.advance(IDLE / 2);
    // A ping at half time would have come before the close frame on the same connection.
    assert.equal(await peer.waitClosed(), 1000);
    assert.equal(pinged, false);
    assert.equal(h!.transport.stats.connectionsOpen, 0);
  });

  it("pings a silent connection that carried SIP, and keeps it while its pongs come back", async () => {
    const peer = await WsPeer.connect(await start());
    await carrySip(peer, "z9hG4bK-idle1");
    for (let i = 0; i < 3; i++) {
      const ping = once(peer.ws, "ping", { signal: AbortSignal.timeout(3_000) });
      clock.advance(IDLE / 2);
      await ping;
      // The automatic pong went out before this ping: once answered, the server has the pong.
      await roundTrip(peer);
    }
    assert.equal(peer.ws.readyState, peer.ws.OPEN);
    assert.equal(h!.transport.stats.connectionsOpen, 1);
    peer.ws.close();
  });

  it("closes a connection whose peer stops answering pings after the idle time", async () => {
    const peer = await WsPeer.connect(await start(), ["sip"], { autoPong: false });
    await carrySip(peer, "z9hG4bK-idle2");
    const ping = once(peer.ws, "ping", { signal: AbortSignal.timeout(3_000) });
    clock.advance(IDLE / 2);
    await ping;
    clock.advance(IDLE / 2);
    assert.equal(await peer.waitClosed(), 1000);
  });
});
