/**
 * Who takes messages on which failure (issue 15): no answer and unreachable by the user's
 * voicemail right, busy by its own choice, and a follow-me whose destinations all failed (busy
 * ones included) as an unanswered call (MSS V3.1.6).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { takesMessages } from "../../src/services/voicemail/deposit.js";
import { defaultSettings, type LocalUser } from "../../src/store/index.js";

function user(patch: Partial<LocalUser>): LocalUser {
  return { ...defaultSettings("100"), id: 1, domainId: 1, createdAt: 0, updatedAt: 0, ...patch };
}

describe("voicemail: takesMessages", () => {
  it("no answer and unreachable follow the voicemail right", () => {
    assert.equal(takesMessages(user({}), "noAnswer", true), false);
    assert.equal(takesMessages(user({ voicemailOnUnreachableOrNoAnswer: true }), "noAnswer", true), true);
    assert.equal(takesMessages(user({ voicemailOnUnreachableOrNoAnswer: true }), "unreachable", false), true);
  });

  it("busy follows voicemail on busy, not the no-answer right", () => {
    const u = user({ voicemailOnUnreachableOrNoAnswer: true });
    assert.equal(takesMessages(u, "busy", true), false);
    assert.equal(takesMessages(user({ voicemailOnBusy: true }), "busy", false), true);
  });

  it("a follow-me that ended busy is unanswered; the user's own busy path (DND) is not", () => {
    const u = user({
      voicemailOnUnreachableOrNoAnswer: true,
      followMe: { strategy: 1, interval: 20, destinations: ["102", "103", ""] },
    });
    assert.equal(takesMessages(u, "busy", true), true, "every destination busy");
    assert.equal(takesMessages(u, "busy", false), false, "DND or no call waiting: busy by choice");
  });
});
