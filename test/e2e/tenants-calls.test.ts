/**
 * End to end (issue 21 acceptance): two tenants in one `parley start`, `a` (a.test) and `b`
 * (b.test), both with users 100 and 101. With baresip phones whose AOR names the tenant's domain
 * and whose outbound proxy is first the tenant's own port, then the port both share, each
 * tenant's 100 calls `101`: its own 101 answers and each side hears the other's tone (a: 440 and
 * 1000 Hz, b: 600 and 1400 Hz), while the other tenant's 101, registered at the same time, is
 * never rung. Then a's 100 names b's domain outright (sip:101@b.test), on a's port and on the
 * shared one: b's 101 still gets no INVITE (a's credentials do not open b).
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import type { BaresipPhone } from "../helpers/baresip-phone.js";
import { describeHeard, heard } from "../helpers/phone-audio.js";
import { missingTool } from "../helpers/run-tool.js";
import { TenantPhone } from "../helpers/tenant-phone.js";
import { type TenantHandle, toneFiles, until, useTenantBaresip, useTwoTenants } from "../helpers/tenants.js";

const skip = missingTool("baresip") || missingTool("sox");
/** Each phone's tone: what the other side of its call must hear. */
const TONES: Record<string, number> = { a100: 440, a101: 1000, b100: 600, b101: 1400 };

describe("two tenants' phones call their own 101 with audio (issue 21)", { skip }, () => {
  const env = useTwoTenants(["--rtp-ports", "43200-43399"]);
  const baresip = useTenantBaresip(env, "calls", 44600);

  before(async () => {
    await toneFiles(baresip.work, Object.values(TONES), 30);
  });

  const phone = (t: TenantHandle, user: string, port: number): Promise<BaresipPhone> =>
    baresip.phone(t, user, { hz: TONES[`${t.name}${user}`]!, port, autoAnswer: user === "101" });

  const diag = (phones: Record<string, BaresipPhone>) =>
    Object.entries(phones)
      .map(([name, p]) => `\n--- ${name}:\n${p.output().slice(-1500)}`)
      .join("") + `\n--- parley:\n${env.parley.output().slice(-3000)}`;

  for (const via of ["own", "shared"] as const) {
    it(`through each tenant's ${via} port: 100 calls its own 101, audio both ways, the other 101 never rings`, {
      timeout: 90_000,
    }, async (t) => {
      const port = (x: TenantHandle) => (via === "own" ? x.port : env.parley.sipPort);
      const phones: Record<string, BaresipPhone> = {};
      for (const x of [env.a, env.b])
        for (const user of ["101", "100"]) phones[`${x.name}${user}`] = await phone(x, user, port(x));

      // Each tenant's administrator sees its own two registrations, from its own phones.
      for (const x of [env.a, env.b]) {
        const regs = await x.api("GET", "/api/v1/registrations");
        assert.equal(regs.status, 200, JSON.stringify(regs.body));
        const contacts = regs.body.items.map(
          (r: { user: string; contact: string }) => `${r.user} ${r.contact}`,
        );
        assert.equal(contacts.length, 2, `${x.name}: ${contacts}`);
        for (const user of ["100", "101"]) {
          const own = phones[`${x.name}${user}`]!.sipPort;
          assert.ok(
            contacts.some((c: string) => c.startsWith(`${user} `) && c.includes(`:${own}`)),
            `${x.name}'s ${user} is its own phone (port ${own}): ${contacts}`,
          );
        }
      }

      for (const x of [env.a, env.b]) {
        const caller = phones[`${x.name}100`]!;
        const callee = phones[`${x.name}101`]!;
        caller.command("dial", `sip:101@${x.domain}`);
        assert.ok(
          await caller.waitForEvent("CALL_ESTABLISHED", 10_000),
          `${x.name}: answered${diag(phones)}`,
        );
        assert.ok(await callee.waitForTalking(1, 10_000), `${x.name}'s 101 talking${diag(phones)}`);
        const live = await x.api("GET", "/api/v1/calls");
        assert.equal(live.body.items.length, 1, `${x.name}: one call listed ${JSON.stringify(live.body)}`);
        const others = await env.other(x).api("GET", "/api/v1/calls");
        assert.equal(
          others.body.items.length,
          0,
          `the other tenant lists none ${JSON.stringify(others.body)}`,
        );
        // Four seconds of talk, on purpose: the audio both ways is measured in the recordings.
        await new Promise((r) => setTimeout(r, 4000));
        caller.command("hangup");
        assert.ok(await callee.waitForEvent("CALL_CLOSED", 5000), `${x.name}'s 101: BYE${diag(phones)}`);
      }

      for (const x of [env.a, env.b]) {
        // The other tenant's 101 was registered all along and never saw an INVITE.
        const idle = phones[`${env.other(x).name}101`]!;
        assert.equal(
          idle.events.filter((e) => e.type === "CALL_ESTABLISHED").length,
          1,
          `${env.other(x).name}'s 101 was rung by its own 100 only${diag(phones)}`,
        );
        // Nothing of x's 100 (its AOR names x's domain) ever reached the other tenant's 101.
        const caller = new RegExp(`100@${x.domain.replace(".", "\\.")}`);
        assert.match(phones[`${x.name}101`]!.output(), caller, `${x.name}'s own 101 shows its caller`);
        assert.doesNotMatch(idle.output(), caller, diag(phones));
        for (const [me, peer] of [
          [`${x.name}100`, `${x.name}101`],
          [`${x.name}101`, `${x.name}100`],
        ] as const) {
          const tones = Object.values(TONES);
          const w = heard(phones[me]!, 0.5, 3.5, tones);
          t.diagnostic(`${via}: ${me} heard ${describeHeard(w)}`);
          assert.ok(w.rms > 0.05, `${me} heard something: ${describeHeard(w)}`);
          assert.ok(
            w.shares[TONES[peer]!]! > 0.8,
            `${me} hears ${peer}'s ${TONES[peer]} Hz: ${describeHeard(w)}`,
          );
        }
      }
      await Promise.all(Object.values(phones).map((p) => p.stop()));
      // Un-registered on quit: the next round's phones are the only ones.
      for (const x of [env.a, env.b])
        await until(`${x.name}'s registrations gone`, async () => {
          const regs = await x.api("GET", "/api/v1/registrations");
          return regs.body.items.length === 0 ? true : undefined;
        });
    });
  }

  it("a's 100 naming b's domain (sip:101@b.test) never reaches b's 101, on a's port or the shared one", {
    timeout: 60_000,
  }, async (t) => {
    const { a, b, parley } = env;
    const open = (x: TenantHandle, user: string, port: number) =>
      TenantPhone.open({ user, password: x.password(user), domain: x.domain, port });
    const bCallee = await open(b, "101", b.port);
    const aCallee = await open(a, "101", a.port);
    try {
      assert.equal((await bCallee.register()).status, 200);
      assert.equal((await aCallee.register()).status, 200);
      for (const port of [a.port, parley.sipPort]) {
        const caller = await open(a, "100", port);
        try {
          const { response, dialog } = await caller.call("101", { domain: b.domain });
          t.diagnostic(
            `port ${port === a.port ? "a's own" : "shared"}: ${response.status} ${response.reason}`,
          );
          // On a's own port the request is a's whatever host it names: a's own 101 takes it, if anyone.
          if (response.status === 200)
            assert.equal(aCallee.requests("INVITE").length > 0, true, "a's 101 rang");
          if (dialog !== undefined) assert.equal((await caller.inDialog(dialog)).status, 200);
          // On the shared port the request is b's (its domain): a's 100 is no user of b.
          if (port === parley.sipPort) assert.ok(response.status >= 400, `refused: ${response.status}`);
        } finally {
          caller.close();
        }
      }
      assert.deepEqual(
        bCallee.requests("INVITE").map((m) => m.from?.uri.raw),
        [],
        `b's 101 got no INVITE\n${parley.output().slice(-3000)}`,
      );
    } finally {
      bCallee.close();
      aCallee.close();
    }
  });
});
