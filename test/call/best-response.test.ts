/** RFC 3261 16.7 step 6: the response sent back when every fork failed. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { bestResponse } from "../../src/call/best-response.js";
import { failureDisposition } from "../../src/call/types.js";

describe("bestResponse", () => {
  it("prefers a 6xx to everything", () => {
    const best = bestResponse([
      { status: 486, reason: "Busy Here" },
      { status: 603, reason: "Decline" },
      { status: 480, reason: "Temporarily Unavailable" },
    ]);
    assert.equal(best.status, 603);
  });
  it("prefers 4xx to 5xx, and the lowest code of the class", () => {
    assert.equal(
      bestResponse([
        { status: 503, reason: "Service Unavailable" },
        { status: 486, reason: "Busy Here" },
        { status: 480, reason: "Temporarily Unavailable" },
      ]).status,
      480,
    );
  });
  it("never relays a callee's 401/407 as is", () => {
    assert.equal(bestResponse([{ status: 407, reason: "Proxy Authentication Required" }]).status, 503);
  });
  it("answers 480 when no fork could be tried", () => {
    assert.equal(bestResponse([]).status, 480);
  });
  it("maps statuses to CDR dispositions", () => {
    assert.equal(failureDisposition(486), "busy");
    assert.equal(failureDisposition(600), "busy");
    assert.equal(failureDisposition(480), "no-answer");
    assert.equal(failureDisposition(487), "cancelled");
    assert.equal(failureDisposition(404), "failed");
  });
});
