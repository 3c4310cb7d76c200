/**
 * End to end (issue 21: "nothing afterwards can reach another tenant's users, calls or media"):
 * the services that gather calls, with the same numbers in two tenants of one `parley start`.
 * - Conference room 8001 exists in a and in b; a's 100 (440 Hz) and 101 (1 kHz) join a's, b's
 *   100 (600 Hz) and 101 (1400 Hz) join b's, all at once on the shared port: each member hears
 *   its own room's other member and nothing of the other room; each live view lists its own two.
 * - Call pick-up: while a's 101 rings, b's 100 dialling `*40*101#` (directed) or `*50` (group)
 *   takes nothing of a's call; a's own 102 dialling `*40*101#` picks it up.
 * - Park: a call a's 101 parks at slot 5 (a REFER to `*70*5`) is in a's parking lot only; b's
 *   100 dialling `*70*5` takes nothing; a's 101 dialling it does.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import type { BaresipPhone } from "../helpers/baresip-phone.js";
import { describeHeard, heard } from "../helpers/phone-audio.js";
import { missingTool } from "../helpers/run-tool.js";
import { TenantPhone } from "../helpers/tenant-phone.js";
import {
  sleep,
  type TenantHandle,
  toneFiles,
  until,
  useTenantBaresip,
  useTwoTenants,
} from "../helpers/tenants.js";

const skip = missingTool("baresip") || missingTool("sox");
const TONES: Record<string, number> = { a100: 440, a101: 1000, b100: 600, b101: 1400 };

describe("conference rooms, pick-up and park with the same numbers in two tenants (issue 21)", {
  skip,
}, () => {
  const env = useTwoTenants(["--rtp-ports", "44400-44599"]);
  const baresip = useTenantBaresip(env, "rooms", 45600);

  before(async () => {
    await toneFiles(baresip.work, Object.values(TONES), 60);
    for (const x of [env.a, env.b]) {
      const room = await x.api("POST", "/api/v1/conference-rooms", {
        number: "8001",
        name: `room of ${x.name}`,
      });
      assert.equal(room.status, 201, JSON.stringify(room.body));
    }
  });
  const phone = (x: TenantHandle, user: string): Promise<BaresipPhone> =>
    baresip.phone(x, user, { hz: TONES[`${x.name}${user}`]!, registered: /200 OK \(Parley/, says: "" });

  it("room 8001 of a and room 8001 of b: each member hears its own room only", {
    timeout: 90_000,
  }, async (t) => {
    const phones: Record<string, BaresipPhone> = {};
    for (const x of [env.a, env.b])
      for (const user of ["100", "101"]) phones[`${x.name}${user}`] = await phone(x, user);
    const joined: Record<string, number> = {};
    for (const [name, p] of Object.entries(phones)) {
      p.command("dial", `sip:8001@${name[0]}.test`);
      assert.ok(await p.waitForEvent("CALL_ESTABLISHED", 10_000), `${name} joined\n${p.output()}`);
      joined[name] = Date.now();
    }
    for (const x of [env.a, env.b]) {
      const members = await until(`${x.name}'s two members`, async () => {
        const res = await x.api("GET", "/api/v1/conference-rooms/8001/members");
        const items = res.body.items as Array<{ user: string; joined: boolean }>;
        return items.filter((m) => m.joined).length === 2 ? items : undefined;
      });
      assert.deepEqual(members.map((m) => m.user).sort(), ["100", "101"]);
      const live = (await x.api("GET", "/api/v1/conference-rooms/live")).body.items;
      assert.equal(live.length, 1, JSON.stringify(live));
      assert.equal(live[0].name, `room of ${x.name}`);
    }
    // Fixed windows on purpose: 1.5 s for the mix to settle, then 3 s measured.
    await sleep(1500);
    const from = Date.now();
    await sleep(3000);
    const to = Date.now();
    for (const p of Object.values(phones)) p.command("hangup");
    await Promise.all(Object.values(phones).map((p) => p.waitForEvent("CALL_CLOSED", 5000)));
    const tones = Object.values(TONES);
    const windows = Object.entries(phones).map(([name, p]) => {
      const w = heard(p, (from - joined[name]!) / 1000, (to - joined[name]!) / 1000, tones);
      t.diagnostic(`${name} heard ${describeHeard(w)}`);
      return [name, w] as const;
    });
    // Its own room's other member above all (a loaded machine's jitter costs some of the share);
    // the other room's tones not at all.
    for (const [name, w] of windows) {
      const peer = `${name[0]}${name.endsWith("100") ? "101" : "100"}`;
      assert.ok(
        w.shares[TONES[peer]!]! > 0.4,
        `${name} hears ${peer}'s ${TONES[peer]} Hz: ${describeHeard(w)}`,
      );
      for (const [other, hz] of Object.entries(TONES))
        if (other[0] !== name[0])
          assert.ok(w.shares[hz]! < 0.05, `${name} hears nothing of ${other}: ${describeHeard(w)}`);
    }
  });

  it("b's 100 dialling pick-up codes takes nothing of a's ringing call; a's 102 picks it up", {
    timeout: 60_000,
  }, async () => {
    const { a, b } = env;
    assert.equal((await a.addUser("102")).status, 201);
    const open = async (x: TenantHandle, user: string, ringOnly = false) => {
      const p = await TenantPhone.open({
        user,
        password: x.password(user),
        domain: x.domain,
        port: env.parley.sipPort,
        ringOnly,
      });
      env.track(p);
      return p;
    };
    const ringer = await open(a, "101", true);
    assert.equal((await ringer.register()).status, 200);
    const calling = (await open(a, "100")).call("101");
    await until("a's 101 ringing", async () =>
      (await a.api("GET", "/api/v1/users/101")).body.state === "ringing" ? true : undefined,
    );
    for (const code of ["*40*101#", "*50"]) {
      const picker = await open(b, "100");
      const { response, dialog } = await picker.call(code);
      // b has nothing ringing: a prompt and a hang-up, or a refusal; never a's call.
      if (dialog !== undefined) await until(`b's ${code} ends`, () => picker.requests("BYE")[0], 15_000);
      assert.equal(
        ringer.requests("CANCEL").length,
        0,
        `${code} from b: a's 101 still rings (${response.status})`,
      );
      assert.equal((await a.api("GET", "/api/v1/users/101")).body.state, "ringing");
    }
    const aCalls = (await a.api("GET", "/api/v1/calls")).body.items;
    assert.equal(aCalls.length, 1, JSON.stringify(aCalls));
    // a's own 102 takes it: a's 101 is cancelled, a's 100 answered.
    const picker = await open(a, "102");
    const picked = await picker.call("*40*101#");
    assert.equal(picked.response.status, 200, `${picked.response.status} ${picked.response.reason}`);
    await ringer.waitFor((m) => m.method === "CANCEL");
    const answered = await calling;
    assert.equal(answered.response.status, 200, "a's 100 is answered by the pick-up");
    assert.equal((await picker.inDialog(picked.dialog!)).status, 200);
  });

  it("a call parked at slot 5 of a is not b's: b's 100 dialling *70*5 takes nothing; a's 101 does", {
    timeout: 60_000,
  }, async () => {
    const { a, b } = env;
    const open = async (x: TenantHandle, user: string) => {
      const p = await TenantPhone.open({
        user,
        password: x.password(user),
        domain: x.domain,
        port: env.parley.sipPort,
      });
      env.track(p);
      return p;
    };
    const parker = await open(a, "101");
    assert.equal((await parker.register()).status, 200);
    const parked = await open(a, "100");
    const call = await parked.call("101");
    assert.equal(call.response.status, 200);
    // Parley is a B2BUA: 101's side of the call is its own dialog (another Call-ID).
    const held = parker.dialogs[0]!;
    const refer = await parker.inDialog(held, "REFER", [
      `Refer-To: <sip:*70*5@${a.domain}>`,
      `Referred-By: <sip:101@${a.domain}>`,
    ]);
    assert.equal(refer.status, 202, `${refer.status} ${refer.reason}`);
    const slot = await until(
      "a's parked call",
      async () => (await a.api("GET", "/api/v1/parked")).body.items[0],
    );
    assert.equal(slot.slot, 5, JSON.stringify(slot));
    assert.deepEqual((await b.api("GET", "/api/v1/parked")).body.items, [], "b's parking lot is empty");

    const stranger = await open(b, "100");
    const tried = await stranger.call("*70*5");
    if (tried.dialog !== undefined) await until("b's *70*5 ends", () => stranger.requests("BYE")[0], 15_000);
    assert.equal(
      (await a.api("GET", "/api/v1/parked")).body.items.length,
      1,
      `still parked in a (${tried.response.status})`,
    );
    assert.deepEqual(parked.requests("BYE"), [], "a's parked caller is still on the line");

    const taker = await open(a, "101");
    const taken = await taker.call("*70*5");
    assert.equal(taken.response.status, 200, `${taken.response.status} ${taken.response.reason}`);
    await until("a's lot empty", async () =>
      (await a.api("GET", "/api/v1/parked")).body.items.length === 0 ? true : undefined,
    );
    assert.equal((await taker.inDialog(taken.dialog!)).status, 200);
    await parked.waitFor((m) => m.method === "BYE");
  });
});
