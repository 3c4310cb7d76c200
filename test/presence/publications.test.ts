/**
 * Publications (RFC 3903 soft state) on a virtual clock: the most recent modification shows;
 * when it expires the other device's shows again; a refresh keeps a publication alive without
 * making it the latest; removal, unknown entity-tags (412) and the per-user bound.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { PublishedState } from "../../src/presence/pidf-read.js";
import { Publications } from "../../src/presence/publications.js";
import { VirtualClock } from "../../src/util/clock.js";

const away: PublishedState = { basic: "open", activities: ["away"], note: "lunch" };
const back: PublishedState = { basic: "open", activities: [], note: "back" };

function setup(maxPerUser?: number) {
  const clock = new VirtualClock();
  const changes: string[] = [];
  const p = new Publications({
    clock,
    onChange: (_d, user) => changes.push(user),
    ...(maxPerUser === undefined ? {} : { maxPerUser }),
  });
  return { clock, changes, p };
}

describe("Publications", () => {
  it("shows the latest publication; when it expires, the other device's shows again", () => {
    const { clock, changes, p } = setup();
    const a = p.publish(1, "101", { expires: 600, state: away });
    assert.ok(a.ok && a.etag);
    clock.advance(1000);
    const b = p.publish(1, "101", { expires: 60, state: back });
    assert.ok(b.ok && b.etag);
    assert.deepEqual(p.stateOf(1, "101"), back);
    clock.advance(59_000);
    assert.deepEqual(p.stateOf(1, "101"), back);
    clock.advance(2_000);
    assert.deepEqual(p.stateOf(1, "101"), away, "b expired: a again");
    assert.deepEqual(changes, ["101", "101", "101"]);
    clock.advance(600_000);
    assert.equal(p.stateOf(1, "101"), undefined);
  });

  it("a refresh keeps a publication alive, with a new entity-tag, without making it the latest", () => {
    const { clock, p } = setup();
    const a = p.publish(1, "101", { expires: 60, state: away });
    const b = p.publish(1, "101", { expires: 600, state: back });
    assert.ok(a.ok && b.ok);
    clock.advance(50_000);
    const refreshed = p.publish(1, "101", { ifMatch: a.etag!, expires: 60 });
    assert.ok(refreshed.ok && refreshed.etag !== a.etag);
    assert.deepEqual(p.stateOf(1, "101"), back);
    clock.advance(50_000);
    const gone = p.publish(1, "101", { ifMatch: b.etag!, expires: 0 });
    assert.ok(gone.ok);
    assert.deepEqual(p.stateOf(1, "101"), away, "a was refreshed: still there after its first 60 s");
    const stale = p.publish(1, "101", { ifMatch: a.etag!, expires: 60 });
    assert.deepEqual(stale, { ok: false, status: 412, reason: "Conditional Request Failed" });
  });

  it("refuses an initial publication without a body, and beyond the user's bound", () => {
    const { p } = setup(2);
    assert.equal(p.publish(1, "101", { expires: 60 }).ok, false);
    assert.ok(p.publish(1, "101", { expires: 60, state: away }).ok);
    assert.ok(p.publish(1, "101", { expires: 60, state: back }).ok);
    const third = p.publish(1, "101", { expires: 60, state: back });
    assert.ok(!third.ok && third.status === 403);
    assert.ok(p.publish(1, "102", { expires: 60, state: back }).ok, "another user is not limited by 101");
  });
});
