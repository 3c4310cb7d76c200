import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type FramerEvent, readContentLength, StreamFramer } from "../../src/transport/stream-framer.js";

const INVITE =
  "INVITE sip:bob@127.0.0.1 SIP/2.0\r\n" +
  "Via: SIP/2.0/TCP 127.0.0.1:5070;branch=z9hG4bK-1\r\n" +
  "Content-Length: 11\r\n" +
  "\r\n" +
  "hello\r\nbody";
const OPTIONS =
  "OPTIONS sip:bob@127.0.0.1 SIP/2.0\r\n" +
  "Via: SIP/2.0/TCP 127.0.0.1:5070;branch=z9hG4bK-2\r\n" +
  "l: 0\r\n\r\n";
const RESPONSE = "SIP/2.0 200 OK\r\nContent-Length:   4  \r\n\r\n\r\n\r\n";

function feed(framer: StreamFramer, chunks: string[]): FramerEvent[] {
  return chunks.flatMap((c) => framer.push(Buffer.from(c, "latin1")));
}

function messages(events: FramerEvent[]): string[] {
  return events
    .filter((e) => e.kind === "message")
    .map((e) => (e.kind === "message" ? e.data.toString("latin1") : ""));
}

describe("StreamFramer", () => {
  describe("upon a complete message in one chunk", () => {
    it("MUST deliver exactly the start line, headers and Content-Length bytes of body", () => {
      const framer = new StreamFramer(65_535);
      assert.deepEqual(messages(feed(framer, [INVITE])), [INVITE]);
      assert.equal(framer.inMessage, false);
    });
  });

  describe("upon a message split at every possible byte boundary (RFC 3261 18.3)", () => {
    it("MUST deliver it once, whole, only when its last byte arrives", () => {
      for (let cut = 1; cut < INVITE.length; cut++) {
        const framer = new StreamFramer(65_535);
        const first = feed(framer, [INVITE.slice(0, cut)]);
        assert.deepEqual(first, [], `cut at ${cut}`);
        assert.equal(framer.inMessage, true);
        assert.deepEqual(messages(feed(framer, [INVITE.slice(cut)])), [INVITE], `cut at ${cut}`);
      }
    });

    it("MUST deliver three messages fed one byte at a time", () => {
      const framer = new StreamFramer(65_535);
      const all = INVITE + OPTIONS + RESPONSE;
      const events = feed(framer, [...all]);
      assert.deepEqual(messages(events), [INVITE, OPTIONS, RESPONSE]);
    });

    it("MUST deliver two messages split at every boundary of their concatenation", () => {
      const all = OPTIONS + INVITE;
      for (let cut = 0; cut <= all.length; cut++) {
        const framer = new StreamFramer(65_535);
        assert.deepEqual(
          messages(feed(framer, [all.slice(0, cut), all.slice(cut)])),
          [OPTIONS, INVITE],
          `cut ${cut}`,
        );
      }
    });
  });

  describe("upon several messages in one chunk", () => {
    it("MUST deliver each in order, with the compact form l: honoured", () => {
      const framer = new StreamFramer(65_535);
      assert.deepEqual(messages(feed(framer, [INVITE + OPTIONS + RESPONSE + OPTIONS])), [
        INVITE,
        OPTIONS,
        RESPONSE,
        OPTIONS,
      ]);
    });
  });

  describe("upon CRLF keep-alives between messages (RFC 5626 3.5.1, RFC 3261 7.5)", () => {
    it("MUST report a double-CRLF ping and skip it", () => {
      const framer = new StreamFramer(65_535);
      const events = feed(framer, ["\r\n\r\n"]);
      assert.deepEqual(events, [{ kind: "ping" }]);
      assert.equal(framer.inMessage, false);
    });

    it("MUST recognise a ping split across chunks and between messages", () => {
      const framer = new StreamFramer(65_535);
      const events = feed(framer, [OPTIONS + "\r", "\n\r", "\n" + "\r\n\r\n" + OPTIONS]);
      assert.deepEqual(
        events.map((e) => e.kind),
        ["message", "ping", "ping", "message"],
      );
    });

    it("MUST ignore a lone CRLF before a start line", () => {
      const framer = new StreamFramer(65_535);
      const events = feed(framer, ["\r\n" + OPTIONS]);
      assert.deepEqual(messages(events), [OPTIONS]);
      assert.equal(events.length, 1);
    });
  });

  describe("upon a header section without a usable Content-Length (RFC 3261 18.3)", () => {
    for (const [name, header, code] of [
      ["missing", "", "missing-content-length"],
      ["negative", "Content-Length: -1\r\n", "bad-content-length"],
      ["non-numeric", "Content-Length: ten\r\n", "bad-content-length"],
      ["conflicting", "Content-Length: 0\r\nl: 3\r\n", "bad-content-length"],
    ] as const) {
      it(`MUST fail unrecoverably when it is ${name}, returning the header section`, () => {
        const framer = new StreamFramer(65_535);
        const head = "OPTIONS sip:a@127.0.0.1 SIP/2.0\r\nCall-ID: x\r\n" + header + "\r\n";
        const events = feed(framer, [head + "trailing"]);
        assert.equal(events.length, 1);
        const event = events[0];
        assert.equal(event.kind, "error");
        if (event.kind !== "error") return;
        assert.equal(event.code, code);
        assert.equal(event.head?.toString("latin1"), head);
        assert.deepEqual(feed(framer, [OPTIONS]), [], "nothing after an unrecoverable error");
      });
    }
  });

  describe("upon input over maxMessageSize", () => {
    it("MUST fail when the header section alone exceeds it", () => {
      const framer = new StreamFramer(100);
      const events = feed(framer, ["OPTIONS sip:a@b SIP/2.0\r\n", `X-Pad: ${"a".repeat(120)}\r\n`]);
      assert.equal(events.length, 1);
      assert.equal(events[0].kind === "error" && events[0].code, "too-large");
    });

    it("MUST fail as soon as Content-Length announces a body past it", () => {
      const framer = new StreamFramer(200);
      const events = feed(framer, ["OPTIONS sip:a@b SIP/2.0\r\nContent-Length: 500\r\n\r\n"]);
      assert.equal(events[0].kind === "error" && events[0].code, "too-large");
      assert.ok(events[0].kind === "error" && events[0].head);
    });

    it("MUST accept a message of exactly maxMessageSize bytes", () => {
      const framer = new StreamFramer(INVITE.length);
      assert.deepEqual(messages(feed(framer, [INVITE])), [INVITE]);
    });
  });

  describe("readContentLength()", () => {
    it("reads a folded value and ignores the start line", () => {
      const head = Buffer.from("X sip:l:5 SIP/2.0\r\nContent-Length:\r\n  42\r\n\r\n", "latin1");
      assert.deepEqual(readContentLength(head), { ok: true, length: 42 });
    });

    it("rejects an absurdly long number as too large", () => {
      const head = Buffer.from("X sip:a SIP/2.0\r\nContent-Length: 99999999999999\r\n\r\n", "latin1");
      assert.equal(readContentLength(head).ok, false);
    });
  });
});
