/**
 * End to end (issue 18, acceptance "Isolation"): a script with an infinite loop, one that
 * allocates without end, one that calls os.exit, and one with a syntax error each fail alone
 * while a hundred other calls using another script complete, checked with sipp.
 *
 * Before Parley starts, its data dir gets the scripts (files in `scripts/`, the syntax error
 * included: the API would refuse it) and their trigger records at "attempted" (straight into the
 * store). Then sipp calls 8101 a hundred times (call-uac-bye.xml, 20 calls/s), whose trigger runs
 * `call.route("101")` to a registered sipp UAS (call-uas-answer.xml), while a scripted phone calls
 * the four bad scripts' numbers again and again, four at a time. Every sipp call must complete on
 * both sides, every bad call get 500 "Script Error", each failure be logged ("script failed") with
 * its script, its kind and the line Lua knows, and Parley still answer afterwards.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { storeFromUrl } from "../../src/store/index.js";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { freePort } from "../helpers/ports.js";
import { missingTool } from "../helpers/run-tool.js";
import { ScriptedPhone } from "../helpers/scripted-phone.js";
import { runSipp } from "../helpers/sipp.js";
import { credentials, passed, registeredUas } from "../helpers/sipp-phones.js";

const GOOD_CALLS = 100;

/** The well-behaved script the hundred sipp calls run. */
const GOOD = { prefix: "81", script: "good-route", source: '-- the hundred calls\ncall.route("101")\n' };

/** The failing scripts: their number, source, how they fail and on which line of their file. */
const BAD = [
  {
    prefix: "7910",
    script: "loops-forever",
    source: "-- spins\nlocal n = 0\nwhile true do n = n + 1 end\n",
    kind: "cpu",
    line: 3,
  },
  {
    prefix: "7920",
    script: "eats-memory",
    // Keeps every string, each twice the last: the 8 MB cap is reached in a few milliseconds (small
    // pieces take ~50 ms to fill it here, a race with the CPU budget of a slice).
    source: '-- grows\nlocal t, s = {}, "x"\nwhile true do s = s .. s; t[#t + 1] = s end\n',
    kind: "memory",
    line: 3,
  },
  { prefix: "7930", script: "exits", source: "-- leaves\nos.exit(1)\n", kind: "runtime", line: 2 },
  { prefix: "7940", script: "broken", source: "-- unfinished\ncall.route(\n", kind: "syntax", line: 3 },
] as const;

describe("script isolation under load (e2e, sipp)", { skip: missingTool("sipp") }, () => {
  let parley: ParleyProcess;
  let dataDir: string;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "parley-e2e-scripts-"));
    mkdirSync(join(dataDir, "scripts"));
    const store = await storeFromUrl(undefined, dataDir);
    try {
      await store.migrate();
      const domain = await store.domains.getDefault();
      for (const { prefix, script, source } of [GOOD, ...BAD]) {
        writeFileSync(join(dataDir, "scripts", `${script}.lua`), source);
        await store.scriptTriggers.create(domain.id, { point: "attempted", prefix, script, order: 10 });
      }
    } finally {
      await store.close();
    }
    parley = await startParley([], {}, { dataDir });
    // Twenty calls a second of half a second each: more at once than the default limit of 4.
    for (const user of ["100", "101"]) {
      const res = await parley.api("PATCH", `/api/v1/users/${user}`, {
        maxConcurrentCalls: 1000,
        maxConcurrentOutgoingCalls: 1000,
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
    }
  });

  after(async () => {
    await parley?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("four failing scripts fail their calls alone while 100 calls through another script complete", {
    timeout: 90_000,
  }, async () => {
    const uas = await registeredUas(parley, "101", "call-uas-answer.xml", [
      "-m",
      String(GOOD_CALLS),
      "-timeout",
      "28s",
    ]);
    const good = runSipp({
      scenario: "call-uac-bye.xml",
      port: await freePort(),
      remotePort: parley.sipPort,
      calls: GOOD_CALLS,
      rate: 20,
      timeoutSeconds: 40,
      killAfterMs: 50_000,
      extra: ["-inf", credentials(parley, "100"), "-s", `${GOOD.prefix}01`],
    });
    let goodDone = false;
    void good.finally(() => {
      goodDone = true;
    });

    // Rounds of the four bad calls at once from user 102, for as long as the sipp calls run, a
    // quarter second apart: each loop holds the signalling thread for its CPU budget (50 ms), and
    // back to back they would keep Parley's overload guard (event-loop delay) busy, not the scripts.
    const phone = await ScriptedPhone.open("102", parley.sipPort);
    const outcomes = new Map<string, string[]>(BAD.map((b) => [b.script, []]));
    let rounds = 0;
    try {
      while (!goodDone || rounds < 3) {
        rounds++;
        await Promise.all(
          BAD.map(async ({ prefix, script }) => {
            const outcome = await phone.call(prefix).then(
              () => "answered",
              (error: Error) => error.message,
            );
            outcomes.get(script)!.push(outcome);
          }),
        );
        await new Promise((r) => setTimeout(r, 250));
      }
    } finally {
      phone.close();
    }

    passed(await good, `${GOOD_CALLS} calls through ${GOOD.script} (the UAC)`, parley);
    passed(await uas.done, `${GOOD_CALLS} calls through ${GOOD.script} (the UAS)`, parley);
    for (const { prefix, script } of BAD)
      for (const outcome of outcomes.get(script)!)
        assert.equal(outcome, `call to ${prefix}: 500 Script Error`, `a call through ${script}`);

    // Each failure is logged with its script, kind and line (the 500 may be out before its log
    // line is read); the good script never failed.
    const failed = (l: Record<string, unknown>) => l.msg === "script failed";
    for (let i = 0; i < 50 && parley.logs.filter(failed).length < rounds * BAD.length; i++)
      await new Promise((r) => setTimeout(r, 100));
    const failures = parley.logs.filter(failed);
    for (const { script, kind, line } of BAD) {
      const mine = failures.filter((l) => l.script === script);
      assert.equal(mine.length, rounds, `${script}: ${rounds} calls, ${mine.length} failures logged`);
      for (const l of mine) {
        assert.equal(l.kind, kind, `${script}: ${JSON.stringify(l)}`);
        if (line !== undefined) assert.equal(l.line, line, `${script}: ${JSON.stringify(l)}`);
        assert.match(String(l.message), new RegExp(`^${script}\\.lua`), `${script}: ${JSON.stringify(l)}`);
      }
    }
    assert.equal(failures.filter((l) => l.script === GOOD.script).length, 0);
    assert.equal(failures.length, rounds * BAD.length, JSON.stringify(failures));

    // Parley is alive and still routes through the good script.
    assert.equal(parley.proc.exitCode, null, "Parley exited");
    assert.equal((await parley.api("GET", "/api/v1/status")).status, 200);
    const callee = await registeredUas(parley, "101", "call-uas-answer.xml");
    const again = await runSipp({
      scenario: "call-uac-bye.xml",
      port: await freePort(),
      remotePort: parley.sipPort,
      extra: ["-inf", credentials(parley, "100"), "-s", `${GOOD.prefix}01`],
    });
    passed(again, "a call after the failures", parley);
    passed(await callee.done, "its callee", parley);
  });
});
