/**
 * The conference service's own logic without media (issue 17): the dialled argument
 * (`*6*room#`, `*6*room*PIN#`), and the live rooms: members by arrival, counts against the
 * maximum, the moderator's arrival waking members that wait for it, mute reaching the mixer only
 * once the member is in it, remove hanging the member up, and the room ending with its last member.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { EndpointHandle } from "../../src/media/endpoint-handle.js";
import { joinOf, roomOf } from "../../src/services/conference/ad-hoc-conference.js";
import { LiveConferences } from "../../src/services/conference/conference-live.js";

/** The part of an endpoint handle the live rooms use, recording what reached the mixer. */
function fakeEndpoint() {
  const sent: Array<{ muted?: boolean }> = [];
  let listener: ((talking: boolean) => void) | undefined;
  const endpoint = {
    talking: false,
    onTalking(l: (talking: boolean) => void) {
      listener = l;
      return () => {
        listener = undefined;
      };
    },
    async participant(settings: { muted?: boolean }) {
      sent.push(settings);
    },
  };
  return {
    endpoint: endpoint as unknown as EndpointHandle,
    sent,
    talk(on: boolean) {
      endpoint.talking = on;
      listener?.(on);
    },
  };
}

describe("joinOf()", () => {
  it("takes the room and the PIN after it", () => {
    assert.deepEqual(joinOf("7001"), { room: "7001", pin: undefined });
    assert.deepEqual(joinOf("7001*1234"), { room: "7001", pin: "1234" });
    assert.equal(roomOf("7001*1234"), "7001");
  });
  it("refuses what is not 1-10 digits", () => {
    assert.equal(joinOf(""), undefined);
    assert.equal(joinOf("12345678901"), undefined);
    assert.equal(joinOf("*1234"), undefined);
  });
});

describe("LiveConferences", () => {
  const who = (user: string) => ({ user, displayName: "" });

  it("lists rooms by number with members in order of arrival; counts, joined and talking", () => {
    let changes = 0;
    const live = new LiveConferences(() => changes++);
    const a = fakeEndpoint();
    const b = fakeEndpoint();
    const ma = live.arrive(1, "10", who("100"), a.endpoint, () => {}, 1000);
    live.arrive(1, "9", who("101"), b.endpoint, () => {}, 2000);
    live.arrive(2, "9", who("200"), fakeEndpoint().endpoint, () => {}, 2000);
    assert.deepEqual(
      live.list(1).map((r) => r.number),
      ["9", "10"],
      "numeric order; the other domain's room is not listed",
    );
    assert.equal(live.count(1, "10"), 1);
    assert.equal(live.joinedCount(1, "10"), 0);
    live.joined(1, "10", ma);
    assert.equal(live.joinedCount(1, "10"), 1);
    const before = changes;
    a.talk(true);
    assert.equal(changes, before + 1, "talking refreshes the live view");
    assert.equal(live.members(1, "10")?.[0].talking, true);
    live.leave(1, "10", ma);
    assert.equal(live.members(1, "10"), undefined, "the room ended with its last member");
  });

  it("mutes in the mixer only once the member is in it; remove hangs it up", async () => {
    const live = new LiveConferences();
    const a = fakeEndpoint();
    let hungUp = 0;
    const m = live.arrive(1, "7", who("100"), a.endpoint, () => hungUp++, 0);
    assert.equal(await live.mute(1, "7", m.id, true), true);
    assert.deepEqual(a.sent, [], "not yet in the mixer: kept for its joining");
    assert.equal(m.muted, true);
    live.joined(1, "7", m);
    assert.equal(await live.mute(1, "7", m.id, false), true);
    assert.deepEqual(a.sent, [{ muted: false }]);
    assert.equal(await live.mute(1, "7", "nope", true), false);
    assert.equal(live.remove(1, "7", m.id), true);
    assert.equal(hungUp, 1);
    assert.equal(live.remove(1, "8", m.id), false);
  });

  it("wakes the members waiting for a moderator when one joins", async () => {
    const live = new LiveConferences();
    const waiting = live.untilModerator(1, "7");
    let woken = false;
    waiting.promise.then(() => {
      woken = true;
    });
    const member = live.arrive(1, "7", who("100"), fakeEndpoint().endpoint, () => {}, 0);
    live.joined(1, "7", member);
    await new Promise((r) => setImmediate(r));
    assert.equal(woken, false, "a plain member is no moderator");
    const moderator = live.arrive(1, "7", who("101"), fakeEndpoint().endpoint, () => {}, 0);
    moderator.moderator = true;
    live.joined(1, "7", moderator);
    await waiting.promise;
    assert.equal(live.hasModerator(1, "7"), true);
    await live.untilModerator(1, "7").promise;
  });
});
