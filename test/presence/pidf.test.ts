/**
 * PIDF in and out: readPidf (what a device PUBLISHes: any namespace prefix, several tuples, RPID
 * activities, refusals naming the problem) and compose/pidf (what watchers get: Parley's own
 * knowledge of do-not-disturb and calls first, then the published state, else registration).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { readPidf } from "../../src/presence/pidf-read.js";
import { compose, pidf } from "../../src/presence/presence-package.js";

describe("readPidf", () => {
  it("reads basic status, activities and note whatever the prefixes", () => {
    const r = readPidf(
      '<?xml version="1.0"?><p:presence xmlns:p="urn:ietf:params:xml:ns:pidf" xmlns:r="urn:ietf:params:xml:ns:pidf:rpid" ' +
        'xmlns:d="urn:ietf:params:xml:ns:pidf:data-model" entity="sip:100@x"><p:tuple id="a"><p:status><p:basic>closed</p:basic></p:status></p:tuple>' +
        '<p:tuple id="b"><p:status><p:basic>open</p:basic></p:status><p:note>In a meeting &amp; busy</p:note></p:tuple>' +
        '<d:person id="x"><r:activities><r:meeting/><r:busy/></r:activities></d:person></p:presence>',
    );
    assert.deepEqual(r, {
      ok: true,
      state: { basic: "open", activities: ["meeting", "busy"], note: "In a meeting & busy" },
    });
  });

  it("refuses a malformed document, another root, no entity, and a basic that is neither open nor closed", () => {
    for (const [body, reason] of [
      ["<presence><tuple>", /malformed PIDF/],
      ["<foo/>", /root element is not <presence>/],
      ['<presence xmlns="urn:ietf:params:xml:ns:pidf"/>', /no entity/],
      [
        '<presence entity="sip:1@x"><tuple id="t"><status><basic>maybe</basic></status></tuple></presence>',
        /open or closed/,
      ],
    ] as const) {
      const r = readPidf(body);
      assert.ok(!r.ok && reason.test(r.reason), `${body}: ${JSON.stringify(r)}`);
    }
  });
});

describe("compose and pidf", () => {
  it("do-not-disturb wins; a call adds on-the-phone; the published state comes next; else registration", () => {
    const away = { basic: "open" as const, activities: ["away"], note: "lunch" };
    assert.deepEqual(compose("talking", { dnd: true }, away), {
      open: false,
      activities: ["busy"],
      note: "Do not disturb",
    });
    assert.deepEqual(compose("talking", { dnd: false }, away), {
      open: true,
      activities: ["on-the-phone", "away"],
      note: "On the phone",
    });
    assert.deepEqual(compose("online", { dnd: false, forwardedTo: "0123" }, undefined), {
      open: true,
      activities: ["away"],
      note: "Calls forwarded to 0123",
    });
    assert.deepEqual(compose("online", { dnd: false }, away), {
      open: true,
      activities: ["away"],
      note: "lunch",
    });
    assert.deepEqual(compose("offline", { dnd: false }, undefined), {
      open: false,
      activities: [],
      note: "Offline",
    });
    // A publication without a note: the note follows the published basic status.
    const bare = { activities: [], note: "" };
    assert.deepEqual(compose("offline", { dnd: false }, { ...bare, basic: "open" }), {
      open: true,
      activities: [],
      note: "Online",
    });
    assert.deepEqual(compose("online", { dnd: false }, { ...bare, basic: "closed" }), {
      open: false,
      activities: [],
      note: "Offline",
    });
    const body = pidf(
      "sip:101@pbx",
      compose("online", { dnd: false }, { basic: "open", activities: ["x><y"], note: "<b>" }),
    );
    assert.match(body, /<basic>open<\/basic>/);
    assert.doesNotMatch(body, /x><y/, "an activity that is not a name is left out");
    assert.match(body, /&lt;b&gt;/, "the note is escaped");
  });
});
