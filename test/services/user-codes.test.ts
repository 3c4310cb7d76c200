/**
 * The user codes (issue 15): *93/*90/*91/*92 set (`*9X*number#`) and clear (`*9X#`) a forwarding's
 * number, *78/*79 switch do-not-disturb; the final # raw, escaped as %23 or missing. Proven here
 * without a call: the code each dialled number matches, the change saved through the store's user
 * update (the API's path), the prompt played, the right and the number checked, outside callers
 * refused. The call itself (sipp, the API showing the change) is test/e2e/services-codes.test.ts.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DetectionPointTable, type Verdict } from "../../src/call/detection-points.js";
import type { MediaServer } from "../../src/media/media-server.js";
import { FeatureCodeTable } from "../../src/services/feature-codes.js";
import { userCodeOutcome } from "../../src/services/user-codes/codes.js";
import { registerUserCodes } from "../../src/services/user-codes/user-codes.js";
import {
  applyPatch,
  defaultSettings,
  type LocalUser,
  type UserPatch,
  type UserSettings,
} from "../../src/store/user-model.js";
import { silentLogger } from "../../src/util/logger.js";

function localUser(name: string, over: Partial<UserSettings> = {}): LocalUser {
  return { ...defaultSettings(name), ...over, id: 1, domainId: 1, createdAt: 0, updatedAt: 0 };
}

const right = (number = "") => ({ enabled: true, number });
const noRight = { enabled: false, number: "" };
const withRights = {
  forwarding: { unconditional: right(), busy: right(), unreachable: right(), noAnswer: right() },
};

/** A media server that records what an endpoint's script plays. */
function fakeMedia() {
  type Script = (io: { endpoint: { play(items: unknown): Promise<unknown> } }) => Promise<void>;
  return {
    speech: (parts: unknown) => parts,
    sipEndpoint: (peer: string, script: Script) => ({ peer, script }),
  };
}

/** Dials `dialed` as `user` (or from outside) and returns the verdict, the saved patches and what was played. */
async function dial(dialed: string, user: LocalUser | undefined, opts: { failSave?: boolean } = {}) {
  const points = new DetectionPointTable(silentLogger());
  const features = new FeatureCodeTable();
  const saved: UserPatch[] = [];
  let changes = 0;
  registerUserCodes(points, features, fakeMedia() as unknown as MediaServer, {
    users: {
      update: async (_domainId, name, patch) => {
        if (opts.failSave) throw new Error("database is gone");
        saved.push(patch);
        return { ...localUser(name), ...applyPatch(user ?? localUser(name), patch) };
      },
    },
    logger: silentLogger(),
    onChange: () => changes++,
  });
  const match = features.match(dialed);
  if (match === undefined) return { match, saved, changes };
  const service = points.serviceNamed(match.service);
  assert.ok(service, match.service);
  const verdict: Verdict = await service({
    caller: { domainId: 1, user: user?.name ?? "0123456", displayName: "" },
    callerUser: user,
    inbound: undefined,
    dialed,
    visited: [],
    number: dialed,
    argument: match.argument,
  });
  const played: unknown[] = [];
  if (verdict.kind === "endpoint") {
    const endpoint = verdict.target.endpoint as unknown as {
      peer: string;
      script: Parameters<typeof run>[0];
    };
    await run(endpoint.script, played);
  }
  return { match, verdict, saved, changes, played };
}

async function run(
  script: (io: { endpoint: { play(items: unknown): Promise<unknown> } }) => Promise<void>,
  played: unknown[],
) {
  await script({ endpoint: { play: async (items) => played.push(items) } });
}

function promptOf(played: unknown[] | undefined): string | undefined {
  const items = played?.[0] as Array<{ prompt?: string }> | undefined;
  return items?.[0]?.prompt;
}

describe("user codes", () => {
  describe("upon *93*<number> with the final # raw, escaped as %23, or missing", () => {
    for (const dialed of ["*93*102#", "*93*102%23", "*93*102"]) {
      it(`${dialed} MUST set unconditional forwarding's number to 102 and say "forwarding-on"`, async () => {
        const r = await dial(dialed, localUser("100", withRights));
        assert.deepEqual(r.saved, [{ forwarding: { unconditional: { number: "102" } } }]);
        assert.equal(r.changes, 1);
        assert.equal(promptOf(r.played), "forwarding-on");
      });
    }
  });

  describe("upon *93# (or *93%23, *93)", () => {
    for (const dialed of ["*93#", "*93%23", "*93"]) {
      it(`${dialed} MUST clear unconditional forwarding's number and say "forwarding-off"`, async () => {
        const user = localUser("100", {
          forwarding: { ...withRights.forwarding, unconditional: right("102") },
        });
        const r = await dial(dialed, user);
        assert.deepEqual(r.saved, [{ forwarding: { unconditional: { number: "" } } }]);
        assert.equal(promptOf(r.played), "forwarding-off");
      });
    }
  });

  it("*90, *91, *92 MUST set busy, unreachable and no answer forwarding", async () => {
    const user = localUser("100", withRights);
    assert.deepEqual((await dial("*90*200%23", user)).saved, [{ forwarding: { busy: { number: "200" } } }]);
    assert.deepEqual((await dial("*91*+4930#", user)).saved, [
      { forwarding: { unreachable: { number: "+4930" } } },
    ]);
    assert.deepEqual((await dial("*92*201", user)).saved, [{ forwarding: { noAnswer: { number: "201" } } }]);
    assert.deepEqual((await dial("*92%23", user)).saved, [{ forwarding: { noAnswer: { number: "" } } }]);
  });

  it("*78 and *79 MUST switch do-not-disturb on and off, with or without #", async () => {
    for (const dialed of ["*78", "*78#", "*78%23"]) {
      const r = await dial(dialed, localUser("100"));
      assert.deepEqual(r.saved, [{ doNotDisturb: true }], dialed);
      assert.equal(promptOf(r.played), "dnd-on");
    }
    const off = await dial("*79%23", localUser("100", { doNotDisturb: true }));
    assert.deepEqual(off.saved, [{ doNotDisturb: false }]);
    assert.equal(promptOf(off.played), "dnd-off");
  });

  it("without the forwarding's right MUST change nothing and say 'restricted'", async () => {
    const user = localUser("100", { forwarding: { ...withRights.forwarding, unconditional: noRight } });
    for (const dialed of ["*93*102%23", "*93%23"]) {
      const r = await dial(dialed, user);
      assert.deepEqual(r.saved, [], dialed);
      assert.equal(r.changes, 0);
      assert.equal(promptOf(r.played), "restricted");
    }
    // The right of another kind does not help.
    assert.equal(promptOf((await dial("*90*102", localUser("100"))).played), "restricted");
  });

  it("an invalid number MUST change nothing and say 'invalid-number'", async () => {
    const r = await dial("*93*12a%23", localUser("100", withRights));
    assert.deepEqual(r.saved, []);
    assert.equal(promptOf(r.played), "invalid-number");
    const long = await dial(`*93*${"1".repeat(33)}`, localUser("100", withRights));
    assert.equal(promptOf(long.played), "invalid-number");
  });

  it("an outside caller MUST be refused with 403 (feature-code-forbidden)", async () => {
    const r = await dial("*78", undefined);
    assert.deepEqual(r.verdict, { kind: "refuse", code: "feature-code-forbidden" });
    assert.deepEqual(r.saved, []);
  });

  it("a store failure MUST say 'call-cannot-be-completed' and report no change", async () => {
    const r = await dial("*78", localUser("100"), { failSave: true });
    assert.equal(r.changes, 0);
    assert.equal(promptOf(r.played), "call-cannot-be-completed");
  });

  it("other numbers MUST NOT match a user code", async () => {
    for (const dialed of ["*93*", "*94", "*780", "102", "*9"])
      assert.equal((await dial(dialed, localUser("100"))).match, undefined, dialed);
  });

  it("userCodeOutcome() validates like the API: digits, *, #, + up to 32", () => {
    const user = localUser("100", withRights);
    assert.equal(
      userCodeOutcome({ kind: "forwarding", which: "busy" }, user, "*86#1+").prompt,
      "forwarding-on",
    );
    assert.equal(
      userCodeOutcome({ kind: "forwarding", which: "busy" }, user, "1 2").prompt,
      "invalid-number",
    );
  });
});
