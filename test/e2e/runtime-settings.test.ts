/**
 * End to end (issue 23): a system setting changed through the API on a running `parley start`
 * applies to the next call without a restart, and stays after one. 101 rings for 4 s before it
 * answers; with the start-up no-answer time (30 s) a call to it is answered (the control), after
 * PATCH /api/v1/system-settings {noAnswerTime: 1} the next call gives up after about 1 s (480),
 * and after a restart on the same data dir the stored value is still the one in use (source
 * "runtime") and the next call follows it. The out-group prefix's change is shown by the dry run
 * of the same running router the calls use.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { ScriptedPhone } from "../helpers/scripted-phone.js";

const ARGS = ["--no-answer-time", "30", "--media-relay", "never", "--rtp-ports", "37100-37199"];

async function phones(parley: ParleyProcess): Promise<{ caller: ScriptedPhone; callee: ScriptedPhone }> {
  const caller = await ScriptedPhone.open("100", parley.sipPort);
  const callee = await ScriptedPhone.open("101", parley.sipPort, undefined, { ringMs: 4000 });
  assert.equal((await caller.register()).status, 200);
  assert.equal((await callee.register()).status, 200);
  return { caller, callee };
}

/** Resolves once every call 101 rang has reached its (late) answer: its socket may close then. */
async function ringsOver(callee: ScriptedPhone): Promise<void> {
  const deadline = performance.now() + 15_000;
  while (callee.rang.some((r) => r.answered === undefined)) {
    assert.ok(performance.now() < deadline, "the callee's ringing ends");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Calls 101; resolves with the final status and how long it took (ms). */
async function callStatus(caller: ScriptedPhone): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  try {
    const dialog = await caller.call("101");
    const ms = performance.now() - started;
    await caller.inDialog(dialog, "BYE");
    return { status: 200, ms };
  } catch (error) {
    const status = Number(/: (\d{3}) /.exec(String(error))?.[1] ?? 0);
    return { status, ms: performance.now() - started };
  }
}

describe("system settings changed at run time, end to end", () => {
  let parley: ParleyProcess | undefined;
  const open: ScriptedPhone[] = [];
  after(async () => {
    for (const p of open) {
      await ringsOver(p);
      p.close();
    }
    await parley?.stop();
    if (parley) rmSync(parley.dataDir, { recursive: true, force: true });
  });

  it("the next call follows a no-answer time set by PATCH, without restart, and after one", async () => {
    // A data dir of the test's own: kept by stop() for the restart.
    const dataDir = mkdtempSync(join(tmpdir(), "parley-e2e-settings-"));
    parley = await startParley(ARGS, {}, { dataDir });
    const { caller, callee } = await phones(parley);
    open.push(caller, callee);

    const control = await callStatus(caller);
    assert.equal(control.status, 200, "control: answered after 4 s of ringing (no-answer time 30 s)");
    assert.ok(control.ms >= 3500, `answered after the ringing (${Math.round(control.ms)} ms)`);

    const res = await parley.api("PATCH", "/api/v1/system-settings", { noAnswerTime: 1 });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const next = await callStatus(caller);
    assert.equal(next.status, 480, "the next call is given up after the new no-answer time");
    assert.ok(next.ms >= 800 && next.ms < 3500, `given up after about 1 s (${Math.round(next.ms)} ms)`);

    // A restart on the same data dir and ports: the stored value is the one in use.
    const { sipPort, tlsPort, httpPort } = parley;
    await parley.stop();
    parley = await startParley(ARGS, {}, { dataDir, ports: { sip: sipPort, tls: tlsPort, http: httpPort } });
    const list = await parley.api("GET", "/api/v1/system-settings");
    const item = (list.body.items as Array<{ key: string; value: unknown; source: string }>).find(
      (i) => i.key === "noAnswerTime",
    );
    assert.deepEqual([item?.value, item?.source], [1, "runtime"]);
    assert.equal((await caller.register()).status, 200);
    assert.equal((await callee.register()).status, 200);
    const afterRestart = await callStatus(caller);
    assert.equal(afterRestart.status, 480, "after a restart too");
    assert.ok(afterRestart.ms < 3500, `given up after about 1 s (${Math.round(afterRestart.ms)} ms)`);
  });

  it("a prompt language set to Chinese at run time adds its emergency numbers at once", async () => {
    assert.ok(parley);
    const numbers = async () =>
      ((await parley!.api("GET", "/api/v1/emergency-numbers")).body.items as Array<{ number: string }>).map(
        (i) => i.number,
      );
    assert.ok(!(await numbers()).includes("110"), "not before (English)");
    const res = await parley.api("PATCH", "/api/v1/system-settings", { language: "zh" });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    await parley.waitForLog((l) => l.msg === "emergency numbers of the prompt language added");
    const now = await numbers();
    for (const n of ["110", "119", "120"]) assert.ok(now.includes(n), `${n} in ${JSON.stringify(now)}`);
  });

  it("the running router uses an out-group prefix set by PATCH at once", async () => {
    assert.ok(parley);
    const route = async (number: string) =>
      (await parley!.api("POST", "/api/v1/dialplan/test", { caller: "100", number })).body;
    const before = JSON.stringify(await route("05551234"));
    const res = await parley.api("PATCH", "/api/v1/system-settings", { outGroupPrefix: "0" });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const afterPatch = JSON.stringify(await route("05551234"));
    assert.notEqual(afterPatch, before, "0 is now the out-group prefix: the same number routes otherwise");
    assert.match(afterPatch, /5551234/);
  });
});
