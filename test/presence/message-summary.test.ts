/**
 * Covers: the message-summary body (RFC 3842 section 5.2) and the package's rules (a user watches
 * its own mailbox only); the SUBSCRIBE parts the notifier decides on: the Event header (RFC 6665
 * 8.2.1) and the Expires negotiation (RFC 6665 4.2.1.1). Pure functions, no network.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  mailboxUri,
  messageSummaryBody,
  messageSummaryPackage,
  SIMPLE_MESSAGE_SUMMARY,
} from "../../src/presence/message-summary.js";
import {
  formatEvent,
  negotiateExpires,
  parseEvent,
  sameEvent,
} from "../../src/presence/subscribe-request.js";

describe("messageSummaryBody()", () => {
  it("says yes with the new and old counts when there are new messages (RFC 3842 5.2)", () => {
    assert.equal(
      messageSummaryBody("sip:100@pbx.test", { new: 2, old: 8 }),
      "Messages-Waiting: yes\r\nMessage-Account: sip:100@pbx.test\r\nVoice-Message: 2/8 (0/0)\r\n",
    );
  });

  it("says no when only old messages are left", () => {
    assert.equal(
      messageSummaryBody("sip:100@pbx.test", { new: 0, old: 3 }),
      "Messages-Waiting: no\r\nMessage-Account: sip:100@pbx.test\r\nVoice-Message: 0/3 (0/0)\r\n",
    );
  });
});

describe("messageSummaryPackage()", () => {
  const pkg = messageSummaryPackage({
    counts: async (domainId, user) => ({ new: domainId, old: user.length }),
    host: "pbx.test",
  });

  it("names the package and its body type (RFC 3842 4, 5)", () => {
    assert.equal(pkg.name, "message-summary");
    assert.equal(pkg.contentType, SIMPLE_MESSAGE_SUMMARY);
    assert.equal(pkg.defaultExpires, 3600);
  });

  it("admits a user to its own mailbox only; another's gets 403", () => {
    assert.deepEqual(pkg.admit({ domainId: 1, watcher: "100", resource: "100" }), { ok: true });
    const refused = pkg.admit({ domainId: 1, watcher: "100", resource: "101" });
    assert.equal("status" in refused && refused.status, 403);
  });

  it("reports the mailbox's counts under its account URI", async () => {
    assert.equal(mailboxUri("101", "pbx.test"), "sip:101@pbx.test");
    assert.equal(
      await pkg.body({ domainId: 4, watcher: "101", resource: "101" }),
      "Messages-Waiting: yes\r\nMessage-Account: sip:101@pbx.test\r\nVoice-Message: 4/3 (0/0)\r\n",
    );
  });
});

describe("parseEvent()", () => {
  it("reads the package, lower-cased, and its id parameter", () => {
    assert.deepEqual(parseEvent("Message-Summary"), { name: "message-summary", id: undefined });
    assert.deepEqual(parseEvent("presence ; id=7;foo=bar"), { name: "presence", id: "7" });
  });

  it("is undefined for a missing or empty Event", () => {
    assert.equal(parseEvent(undefined), undefined);
    assert.equal(parseEvent(" ;id=1"), undefined);
  });

  it("formats the NOTIFY's Event with the SUBSCRIBE's id, and compares package and id", () => {
    assert.equal(formatEvent({ name: "message-summary", id: undefined }), "message-summary");
    assert.equal(formatEvent({ name: "dialog", id: "a1" }), "dialog;id=a1");
    assert.ok(sameEvent(parseEvent("dialog;id=a1")!, parseEvent("Dialog;id=a1")!));
    assert.ok(!sameEvent(parseEvent("dialog;id=a1")!, parseEvent("dialog")!));
  });
});

describe("negotiateExpires()", () => {
  const limits = { defaultExpires: 3600, minExpires: 60, maxExpires: 1800 };

  it("grants the package's default (within the maximum) when Expires is absent", () => {
    assert.deepEqual(negotiateExpires(undefined, limits), { kind: "ok", expires: 1800 });
    assert.deepEqual(negotiateExpires(undefined, { ...limits, defaultExpires: 600 }), {
      kind: "ok",
      expires: 600,
    });
  });

  it("MAY shorten a long request, never lengthens one (RFC 6665 4.2.1.1)", () => {
    assert.deepEqual(negotiateExpires("86400", limits), { kind: "ok", expires: 1800 });
    assert.deepEqual(negotiateExpires(" 120 ", limits), { kind: "ok", expires: 120 });
    assert.deepEqual(negotiateExpires("60", limits), { kind: "ok", expires: 60 });
  });

  it("answers a non-zero request below the minimum with 423 and Min-Expires", () => {
    assert.deepEqual(negotiateExpires("59", limits), { kind: "too-brief", minExpires: 60 });
  });

  it("takes 0 as an un-subscribe or fetch, never too brief", () => {
    assert.deepEqual(negotiateExpires("0", limits), { kind: "ok", expires: 0 });
  });

  it("refuses what is not delta-seconds (RFC 3261 20.19)", () => {
    for (const bad of ["-1", "abc", "1.5", "", "99999999999"]) {
      assert.deepEqual(negotiateExpires(bad, limits), { kind: "bad" }, bad);
    }
  });
});
