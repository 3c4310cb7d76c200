/**
 * End to end (issue 16): hunt groups with sipp phones against a real `parley start`, the groups
 * and the detection record set with `parley hunt-group` / `parley hunt-detection` on its data dir
 * before the start. Proven: linear rings the next member once the first rang its ring time out;
 * circular starts after the member that answered last, over four calls (the CDR names who
 * answered, and nobody else was rung); parallel rings all at once and the losers see CANCEL with
 * Reason; when nobody answers, another number rings, 486 Busy Here comes back, or a user's
 * voicemail answers; worked example 3 (FEATURES.md section 5): an incoming call on external line
 * 123456, which points at the auto-attendant, rings the hunt group its detection record names.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parleyCli } from "../helpers/parley-cli.js";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { freePort } from "../helpers/ports.js";
import { missingTool } from "../helpers/run-tool.js";
import { credentials, passed, registeredUas, sipp, uac } from "../helpers/sipp-phones.js";
import { addUser } from "../helpers/user-passwords.js";

interface Cdr {
  callee?: string;
  dialed: string;
  legs: Array<{ role: string; peer: string }>;
}

const GROUPS: string[][] = [
  ["610", "--members", "101,102", "--strategy", "linear", "--ring-time", "2"],
  ["620", "--members", "101,102,103", "--strategy", "circular", "--ring-time", "10"],
  ["630", "--members", "101,102", "--strategy", "parallel", "--ring-time", "10"],
  ["640", "--members", "101", "--ring-time", "2", "--unanswered", "number", "--target", "103"],
  ["650", "--members", "101", "--ring-time", "2"],
  ["660", "--members", "102", "--strategy", "parallel"],
  ["670", "--members", "101", "--ring-time", "2", "--unanswered", "voicemail", "--target", "100"],
];

describe("hunt groups (sipp), FEATURES.md section 5 worked example 3 included", {
  skip: missingTool("sipp"),
}, () => {
  let dataDir: string;
  let parley: ParleyProcess;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "parley-e2e-hunt-"));
    for (const group of GROUPS) {
      const r = await parleyCli(dataDir, ["hunt-group", "add", ...group]);
      assert.equal(r.code, 0, r.stderr);
    }
    const d = await parleyCli(dataDir, ["hunt-detection", "add", "123456", "660"]);
    assert.equal(d.code, 0, d.stderr);
    parley = await startParley([], {}, { dataDir });
    // The embedded defaults are 100, 101 and 102: the third member needs a user of its own.
    const created = await addUser(parley, "103");
    assert.equal(created.status, 201, JSON.stringify(created.body));
  });
  after(async () => {
    await parley?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function lastCdr(dialed: string, count = 1): Promise<Cdr[]> {
    for (let i = 0; i < 30; i++) {
      const items = (await parley.api("GET", `/api/v1/cdrs?number=${dialed}&limit=${count}`)).body
        .items as Cdr[];
      const records = (items ?? []).filter((r) => r.dialed === dialed);
      if (records.length >= count) return records;
      await new Promise((r) => setTimeout(r, 100));
    }
    return [];
  }

  it("linear: the next member rings once the first rang its ring time out", { timeout: 60000 }, async () => {
    const first = await registeredUas(parley, "101", "call-uas-cancelled.xml");
    const second = await registeredUas(parley, "102", "call-uas-answer.xml");
    const started = Date.now();
    passed(await uac(parley, "100", "610", "call-uac-bye.xml"), "caller", parley);
    passed(await first.done, "101 rang 2 s and was cancelled", parley);
    passed(await second.done, "102 answered", parley);
    assert.ok(Date.now() - started >= 2000, "102 only after 101's ring time");
    assert.equal((await lastCdr("610"))[0]?.callee, "102");
  });

  it("circular: each call starts after the member that answered last", { timeout: 120000 }, async () => {
    // Every member has a binding first (a phone that has since gone quiet).
    for (const user of ["101", "102", "103"]) {
      const r = await sipp(parley, "call-register.xml", await freePort(), [
        "-inf",
        credentials(parley, user),
      ]);
      passed(r, `${user} registered`, parley);
    }
    for (const expected of ["101", "102", "103", "101"]) {
      const member = await registeredUas(parley, expected, "call-uas-answer.xml");
      passed(await uac(parley, "100", "620", "call-uac-bye.xml"), `caller (to ${expected})`, parley);
      passed(await member.done, `${expected} answered`, parley);
      const [record] = await lastCdr("620");
      assert.equal(record?.callee, expected, JSON.stringify(record));
      const rung = record?.legs.filter((l) => l.role === "callee") ?? [];
      assert.equal(rung.length, 1, `only ${expected} rang: ${JSON.stringify(record)}`);
    }
  });

  it("parallel: every member rings; the first answer wins, the other sees CANCEL with Reason", {
    timeout: 60000,
  }, async () => {
    const a = await registeredUas(parley, "101", "call-uas-slow-answer.xml");
    const b = await registeredUas(parley, "102", "call-uas-cancelled-elsewhere.xml");
    passed(await uac(parley, "100", "630", "call-uac-bye.xml"), "caller", parley);
    passed(await a.done, "101 answered", parley);
    passed(await b.done, "102 saw CANCEL with Reason", parley);
  });

  it("no answer: another number rings", { timeout: 60000 }, async () => {
    const member = await registeredUas(parley, "101", "call-uas-cancelled.xml");
    const other = await registeredUas(parley, "103", "call-uas-answer.xml");
    passed(await uac(parley, "100", "640", "call-uac-bye.xml"), "caller", parley);
    passed(await member.done, "101 rang out", parley);
    passed(await other.done, "103 answered", parley);
  });

  it("no answer: 486 Busy Here", { timeout: 60000 }, async () => {
    const member = await registeredUas(parley, "101", "call-uas-cancelled.xml");
    passed(await uac(parley, "100", "650", "call-uac-486.xml"), "caller got 486", parley);
    passed(await member.done, "101 rang out", parley);
  });

  it("no answer: the voicemail of a user answers", { timeout: 60000 }, async () => {
    const member = await registeredUas(parley, "101", "call-uas-cancelled.xml");
    passed(await uac(parley, "102", "670", "call-uac-bye.xml"), "voicemail answered the caller", parley);
    passed(await member.done, "101 rang out", parley);
    const [record] = await lastCdr("670");
    assert.ok(
      record?.legs.some((l) => l.peer === "parley:voicemail"),
      `answered by voicemail: ${JSON.stringify(record)}`,
    );
  });

  it("worked example 3: a call in on line 123456 (set to the auto-attendant) rings the hunt group", {
    timeout: 60000,
  }, async () => {
    const port = await freePort();
    const line = {
      account: "123456",
      server: "127.0.0.1",
      serverPort: port,
      doNotRegister: true,
      transferTo: "auto-attendant",
    };
    const created = await parley.api("POST", "/api/v1/external-lines", line);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const member = await registeredUas(parley, "102", "call-uas-answer.xml");
    passed(await sipp(parley, "prov-call-in.xml", port, ["-s", "123456"]), "provider calling in", parley);
    passed(await member.done, "102 (hunt group 660) answered", parley);
  });
});
