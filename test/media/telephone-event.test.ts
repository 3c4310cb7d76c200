/**
 * Covers src/media/rtp/telephone-event.ts: RFC 4733 telephone-event reception and encoding.
 * Proven here: a sipp-like stream (marker start, updates, 3 end packets) gives one digit with its
 * duration and volume; two presses of one key (two timestamps) give two; duplicated, reordered
 * and late packets give one; a lost end gives one, via the next event or the 500 ms timeout;
 * long events in segments (2.5.1.3) give one; several events in one payload (2.5.1.5); non-DTMF
 * events ignored; the 4-byte encoding (2.3).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { encodeTelephoneEvent, TelephoneEventReceiver } from "../../src/media/rtp/telephone-event.js";

interface Heard {
  digit: string;
  durationMs: number;
  volume: number;
}

function receiver(): { rx: TelephoneEventReceiver; heard: Heard[] } {
  const heard: Heard[] = [];
  const rx = new TelephoneEventReceiver((digit, durationMs, volume) =>
    heard.push({ digit, durationMs, volume }),
  );
  return { rx, heard };
}

/** Sends one packet: a payload of events, at RTP timestamp `ts`, arriving at `nowMs`. */
function send(
  rx: TelephoneEventReceiver,
  payload: Uint8Array,
  ts: number,
  nowMs: number,
  marker = false,
): void {
  // Put the payload behind a 12-byte header, as it sits in the datagram.
  const packet = new Uint8Array(12 + payload.length);
  packet.set(payload, 12);
  rx.receive(packet, 12, payload.length, ts, marker, nowMs);
}

/**
 * The packets a sender like sipp makes for one key press: a first packet with the marker, an
 * update every 20 ms (160 units), then the end packet three times (RFC 4733 2.5.1.4).
 */
function press(digit: string, ts: number, atMs: number, units: number, volume = 10) {
  const packets: Array<{ payload: Uint8Array; ts: number; nowMs: number; marker: boolean }> = [];
  let nowMs = atMs;
  for (let d = 160; d < units; d += 160, nowMs += 20) {
    packets.push({ payload: encodeTelephoneEvent(digit, false, volume, d), ts, nowMs, marker: d === 160 });
  }
  for (let i = 0; i < 3; i++, nowMs += 20) {
    packets.push({ payload: encodeTelephoneEvent(digit, true, volume, units), ts, nowMs, marker: false });
  }
  return packets;
}

function sendAll(rx: TelephoneEventReceiver, packets: ReturnType<typeof press>): void {
  for (const p of packets) send(rx, p.payload, p.ts, p.nowMs, p.marker);
}

describe("TelephoneEventReceiver", () => {
  describe("upon a key press (start, updates, three end packets)", () => {
    it("reports the digit once, on the first end packet, with duration and volume", () => {
      const { rx, heard } = receiver();
      const packets = press("5", 1000, 0, 960, 10);
      sendAll(rx, packets.slice(0, -3));
      assert.deepEqual(heard, [], "nothing before the end");
      sendAll(rx, packets.slice(-3));
      assert.deepEqual(heard, [{ digit: "5", durationMs: 120, volume: -10 }]);
      rx.tick(5000);
      assert.equal(heard.length, 1);
    });
    it("maps events 10-15 to * # A B C D", () => {
      const { rx, heard } = receiver();
      let ts = 0;
      for (const digit of "*#ABCD0") {
        sendAll(rx, press(digit, ts, ts / 8, 800));
        ts += 8000;
      }
      assert.equal(heard.map((h) => h.digit).join(""), "*#ABCD0");
    });
  });

  describe("upon the same key pressed twice", () => {
    it("reports two digits: the events have different timestamps", () => {
      const { rx, heard } = receiver();
      sendAll(rx, press("7", 8000, 1000, 800));
      sendAll(rx, press("7", 8000 + 2400, 1300, 800));
      assert.deepEqual(
        heard.map((h) => h.digit),
        ["7", "7"],
      );
    });
  });

  describe("upon duplicated, reordered and late packets", () => {
    it("reports one digit with the full duration", () => {
      const { rx, heard } = receiver();
      const packets = press("9", 4000, 0, 1280);
      // The end first, then the rest shuffled and each sent twice.
      const order = [packets.length - 1, 3, 0, 5, 1, 4, 2, ...packets.keys()];
      for (const i of order) send(rx, packets[i].payload, packets[i].ts, packets[i].nowMs + 5);
      assert.deepEqual(heard, [{ digit: "9", durationMs: 160, volume: -10 }]);
    });
    it("ignores an end packet of the previous event that comes after the next event began", () => {
      const { rx, heard } = receiver();
      const first = press("1", 100, 0, 640);
      const second = press("2", 100 + 2000, 250, 640);
      sendAll(rx, first.slice(0, -2));
      sendAll(rx, second.slice(0, 2));
      send(rx, first[first.length - 1].payload, 100, 300);
      sendAll(rx, second.slice(2));
      assert.deepEqual(
        heard.map((h) => h.digit),
        ["1", "2"],
      );
    });
  });

  describe("upon an event whose end packets are all lost", () => {
    it("reports it when no packet of it has come for 500 ms", () => {
      const { rx, heard } = receiver();
      const packets = press("3", 50, 0, 800).slice(0, -3);
      sendAll(rx, packets);
      const last = packets[packets.length - 1].nowMs;
      rx.tick(last + 499);
      assert.deepEqual(heard, []);
      rx.tick(last + 500);
      rx.tick(last + 1500);
      assert.deepEqual(heard, [{ digit: "3", durationMs: 80, volume: -10 }]);
    });
    it("reports it when the next event begins", () => {
      const { rx, heard } = receiver();
      sendAll(rx, press("4", 50, 0, 800).slice(0, -3));
      sendAll(rx, press("6", 50 + 1600, 200, 800));
      assert.deepEqual(
        heard.map((h) => h.digit),
        ["4", "6"],
      );
    });
  });

  describe("upon a long event (2.5.1.3)", () => {
    it("joins its segments into one digit of the whole duration", () => {
      const { rx, heard } = receiver();
      const ts = 0xffff_0000; // wraps the 32-bit timestamp too
      send(rx, encodeTelephoneEvent("0", false, 10, 60000), ts, 0, true);
      send(rx, encodeTelephoneEvent("0", false, 10, 0xffff), ts, 20);
      send(rx, encodeTelephoneEvent("0", false, 10, 800), (ts + 0xffff) >>> 0, 40);
      send(rx, encodeTelephoneEvent("0", false, 10, 0xffff), ts, 41); // a late one of segment 1
      send(rx, encodeTelephoneEvent("0", true, 10, 1600), (ts + 0xffff) >>> 0, 60);
      send(rx, encodeTelephoneEvent("0", true, 10, 1600), (ts + 0xffff) >>> 0, 80);
      assert.deepEqual(heard, [{ digit: "0", durationMs: ((0xffff + 1600) * 1000) / 8000, volume: -10 }]);
    });
  });

  describe("upon several events in one payload (2.5.1.5)", () => {
    it("takes each in turn, the later ones starting where the earlier ended", () => {
      const { rx, heard } = receiver();
      const payload = new Uint8Array(8);
      payload.set(encodeTelephoneEvent("1", true, 10, 800), 0);
      payload.set(encodeTelephoneEvent("2", false, 10, 400), 4);
      send(rx, payload, 16000, 0);
      // The second event's own packets carry its start, 16000 + 800.
      send(rx, encodeTelephoneEvent("2", true, 10, 800), 16800, 50);
      send(rx, encodeTelephoneEvent("2", true, 10, 800), 16800, 70);
      assert.deepEqual(
        heard.map((h) => [h.digit, h.durationMs]),
        [
          ["1", 100],
          ["2", 100],
        ],
      );
    });
  });

  describe("upon other input", () => {
    it("ignores events that are not DTMF (16: flash) and payloads shorter than 4 bytes", () => {
      const { rx, heard } = receiver();
      send(rx, Uint8Array.of(16, 0x8a, 3, 0x20), 0, 0);
      send(rx, Uint8Array.of(5, 0x8a, 3), 800, 20);
      rx.tick(5000);
      assert.deepEqual(heard, []);
    });
    it("takes a new press stamped earlier than the last, as sipp replays one recorded pcap per key", () => {
      const { rx, heard } = receiver();
      sendAll(rx, press("0", 17_632, 0, 800));
      sendAll(rx, press("1", 13_280, 400, 800));
      sendAll(rx, press("9", 67_840, 800, 800));
      assert.deepEqual(
        heard.map((h) => h.digit),
        ["0", "1", "9"],
      );
    });

    it("takes events with earlier timestamps again once the stream has been quiet for 2 s", () => {
      const { rx, heard } = receiver();
      sendAll(rx, press("8", 900_000, 0, 800));
      send(rx, encodeTelephoneEvent("5", true, 10, 800), 1000, 100); // stray: older, right after
      sendAll(rx, press("2", 1000, 10_000, 800)); // the sender restarted its timestamps
      assert.deepEqual(
        heard.map((h) => h.digit),
        ["8", "2"],
      );
    });
  });
});

describe("encodeTelephoneEvent()", () => {
  it("writes event, E bit, volume without its sign and duration (RFC 4733 2.3)", () => {
    assert.deepEqual([...encodeTelephoneEvent("#", true, -10, 1000)], [11, 0x8a, 0x03, 0xe8]);
    assert.deepEqual([...encodeTelephoneEvent("a", false, 63, 70000)], [12, 63, 0xff, 0xff]);
  });
  it("rejects what is not a DTMF digit", () => {
    assert.throws(() => encodeTelephoneEvent("E", false, 10, 0), RangeError);
    assert.throws(() => encodeTelephoneEvent("12", false, 10, 0), RangeError);
  });
});
