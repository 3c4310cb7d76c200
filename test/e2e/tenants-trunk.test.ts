/**
 * End to end (issue 21 acceptance: "a trunk between the two tenants (configured in both) carries
 * a call"): two tenants in one `parley start`, each administrator configuring, through its own
 * API, a SIP trunk to the other tenant's own port and a dial plan record sending 8xxx there with
 * the 8 deleted. a's 100 (baresip, 440 Hz) dials 8101 and b's 101 (baresip, 1 kHz) answers: each
 * hears the other; a's 101 is not rung. And back: b's 100 dials 8101 and reaches a's 101. Without
 * b's trunk to a, b refuses what a's trunk sends (a tenant trusts only the peers it configured).
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import type { BaresipPhone } from "../helpers/baresip-phone.js";
import { describeHeard, heard } from "../helpers/phone-audio.js";
import { missingTool } from "../helpers/run-tool.js";
import { TenantPhone } from "../helpers/tenant-phone.js";
import { type TenantHandle, toneFiles, until, useTenantBaresip, useTwoTenants } from "../helpers/tenants.js";

const skip = missingTool("baresip") || missingTool("sox");

describe("a SIP trunk between two tenants of one Parley carries a call with audio (issue 21)", {
  skip,
}, () => {
  const env = useTwoTenants(["--rtp-ports", "43800-43999"]);
  const baresip = useTenantBaresip(env, "trunk", 45400);

  async function ok(x: TenantHandle, method: string, path: string, body?: object): Promise<void> {
    const res = await x.api(method, path, body);
    assert.ok(
      res.status >= 200 && res.status < 300,
      `${x.name} ${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`,
    );
  }

  before(async () => {
    await toneFiles(baresip.work, [440, 1000], 30);
    for (const x of [env.a, env.b]) {
      const other = env.other(x);
      await ok(x, "POST", "/api/v1/sip-trunks", {
        trunkId: `to-${other.name}`,
        description: `tenant ${other.name}`,
        address: "127.0.0.1",
        port: other.port,
      });
      await ok(x, "POST", "/api/v1/dialplan/transitions", { id: 1, type: "delete", start: 0, length: 1 });
      await ok(x, "POST", "/api/v1/dialplan/analyze", {
        prefix: "8",
        routeType: "sip-trunk",
        sipTrunk: `to-${other.name}`,
        changeNumber: true,
        transitionId: 1,
      });
    }
  });
  const phone = (x: TenantHandle, user: string, hz: number, autoAnswer = false): Promise<BaresipPhone> =>
    baresip.phone(x, user, { hz, autoAnswer });

  it("each tenant's trunk to the other is online (OPTIONS answered by the other tenant's port)", async () => {
    for (const x of [env.a, env.b]) {
      const trunk = `to-${env.other(x).name}`;
      const state = await until(`${x.name}'s ${trunk} online`, async () => {
        const res = await x.api("GET", `/api/v1/sip-trunks/${trunk}`);
        return res.body.state === "online" ? res.body.state : undefined;
      });
      assert.equal(state, "online");
    }
  });

  for (const [from, to] of [
    ["a", "b"],
    ["b", "a"],
  ] as const)
    it(`${from}'s 100 dials 8101 and reaches ${to}'s 101 through the trunks; both hear each other`, {
      timeout: 60_000,
    }, async (t) => {
      const caller = env[from];
      const callee = env[to];
      // The caller's own 101 is registered too: it must not be the one that rings.
      const sameNumber = await TenantPhone.open({
        user: "101",
        password: caller.password("101"),
        domain: caller.domain,
        port: env.parley.sipPort,
      });
      try {
        assert.equal((await sameNumber.register()).status, 200);
        const b101 = await phone(callee, "101", 1000, true);
        const a100 = await phone(caller, "100", 440);
        a100.command("dial", `sip:8101@${caller.domain}`);
        const diag = () =>
          `\n--- caller:\n${a100.output().slice(-1500)}\n--- callee:\n${b101.output().slice(-1500)}\n--- parley:\n${env.parley.output().slice(-3000)}`;
        assert.ok(await a100.waitForEvent("CALL_ESTABLISHED", 10_000), `answered${diag()}`);
        assert.ok(await b101.waitForTalking(1, 10_000), `${to}'s 101 talking${diag()}`);
        const trunk = await caller.api("GET", `/api/v1/sip-trunks/to-${to}`);
        assert.equal(trunk.body.activeOutgoingCalls, 1, JSON.stringify(trunk.body));
        const incoming = await callee.api("GET", `/api/v1/sip-trunks/to-${from}`);
        assert.equal(incoming.body.activeIncomingCalls, 1, JSON.stringify(incoming.body));
        // Four seconds of talk, on purpose: measured in the recordings.
        await new Promise((r) => setTimeout(r, 4000));
        a100.command("hangup");
        assert.ok(await b101.waitForEvent("CALL_CLOSED", 5000), `BYE through the trunks${diag()}`);
        await Promise.all([a100.stop(), b101.stop()]);
        for (const [p, who, hz] of [
          [a100, `${from}'s 100`, 1000],
          [b101, `${to}'s 101`, 440],
        ] as const) {
          const w = heard(p, 0.5, 3.5, [440, 1000]);
          t.diagnostic(`${who} heard ${describeHeard(w)}`);
          assert.ok(w.shares[hz]! > 0.8, `${who} hears ${hz} Hz: ${describeHeard(w)}`);
        }
        assert.deepEqual(sameNumber.requests("INVITE"), [], `${from}'s own 101 was not rung`);
        // Each side's CDR: the caller's tenant saw 8101 leave by the trunk; the callee's took it in.
        const out = await until(
          `${from}'s CDR`,
          async () => (await caller.api("GET", "/api/v1/cdrs?limit=1")).body.items[0],
        );
        assert.equal(out.dialed, "8101", JSON.stringify(out));
        assert.equal(out.disposition, "answered", JSON.stringify(out));
        const inbound = await until(
          `${to}'s CDR`,
          async () => (await callee.api("GET", "/api/v1/cdrs?limit=1")).body.items[0],
        );
        assert.equal(inbound.callee, "101", JSON.stringify(inbound));
        assert.equal(inbound.caller, "100", JSON.stringify(inbound));
        assert.equal(inbound.disposition, "answered", JSON.stringify(inbound));
      } finally {
        sameNumber.close();
      }
    });

  it("without b's trunk to a, b does not take a's call: b's 101 is never rung", {
    timeout: 30_000,
  }, async (t) => {
    const { a, b } = env;
    const kept = (await b.api("GET", "/api/v1/sip-trunks/to-a")).body;
    const records = (await b.api("GET", "/api/v1/dialplan/analyze")).body.items;
    const record = records.find((r: { sipTrunk: string }) => r.sipTrunk === "to-a");
    await ok(b, "DELETE", `/api/v1/dialplan/analyze/${record.id}`);
    await ok(b, "DELETE", "/api/v1/sip-trunks/to-a");
    const open = (x: TenantHandle, user: string) =>
      TenantPhone.open({ user, password: x.password(user), domain: x.domain, port: env.parley.sipPort });
    const bCallee = await open(b, "101");
    const aCaller = await open(a, "100");
    try {
      assert.equal((await bCallee.register()).status, 200);
      const { response, dialog } = await aCaller.call("8101");
      if (dialog !== undefined) await aCaller.inDialog(dialog);
      t.diagnostic(`a's 100 got ${response.status} ${response.reason}`);
      assert.ok(response.status >= 400, `refused: ${response.status} ${response.reason}`);
      assert.deepEqual(bCallee.requests("INVITE"), [], "b's 101 got no INVITE");
    } finally {
      bCallee.close();
      aCaller.close();
      const { state: _s, activeIncomingCalls: _i, activeOutgoingCalls: _o, ...trunk } = kept;
      await ok(b, "POST", "/api/v1/sip-trunks", trunk);
      const { id: _id, ...analyze } = record;
      await ok(b, "POST", "/api/v1/dialplan/analyze", analyze);
    }
  });
});
