/**
 * End to end (issue 23): a CDR carries talk time (answer to end) beside the whole call's duration,
 * the hang-up cause on every record, one ISO 8601 format for its times and bare URIs for its
 * peers. sipp phones call through a real `parley start`: an answered call of a known length (the
 * caller talks 3 s, then sends BYE) has a talk time of about 3 s, a duration at least that, and
 * says the caller hung up; the callee's BYE says the callee did; a 486 has talk time 0 and the
 * cause busy; the daily CSV file carries the same two columns at its end.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { missingTool } from "../helpers/run-tool.js";
import { passed, registeredUas, uac } from "../helpers/sipp-phones.js";
import { csvRecords } from "../store/csv.js";

const noSipp = missingTool("sipp");
const TALK_MS = 3000;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

interface CdrJson {
  id: number;
  callId: string;
  disposition: string;
  startedAt: string;
  answeredAt?: string;
  endedAt: string;
  duration: number;
  talkTime: number;
  hangupCause: string;
  sipStatus: number;
  legs: Array<{ role: string; peer: string; startedAt: string; endedAt: string }>;
}

describe("CDR talk time and hang-up cause, end to end", { skip: noSipp }, () => {
  let parley: ParleyProcess;
  const seen = new Set<number>();
  const csvDir = mkdtempSync(join(tmpdir(), "parley-cdr-csv-"));

  before(async () => {
    parley = await startParley(["--rtp-ports", "39300-39399", "--cdr-csv-dir", csvDir]);
  });
  after(async () => {
    await parley?.stop();
    rmSync(csvDir, { recursive: true, force: true });
  });

  /** The newest record of a call to `dialed` not seen before (it is written as the call ends). */
  async function nextCdr(dialed: string): Promise<CdrJson> {
    for (let i = 0; i < 50; i++) {
      const res = await parley.api("GET", `/api/v1/cdrs?number=${dialed}&limit=1`);
      assert.equal(res.status, 200);
      const item = res.body.items[0] as CdrJson | undefined;
      if (item !== undefined && !seen.has(item.id)) {
        seen.add(item.id);
        return item;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.fail(`no new CDR for ${dialed}`);
  }

  it("an answered call of 3 s: talk time about 3 s, duration at least that, caller-bye", async () => {
    const uas = await registeredUas(parley, "101", "call-uas-answer.xml");
    passed(await uac(parley, "100", "101", "cdr-uac-talk.xml", ["-d", String(TALK_MS)]), "caller", parley);
    passed(await uas.done, "callee", parley);
    const cdr = await nextCdr("101");
    assert.equal(cdr.disposition, "answered");
    for (const t of [cdr.startedAt, cdr.answeredAt, cdr.endedAt]) assert.match(String(t), ISO);
    const talkMs = Date.parse(cdr.endedAt) - Date.parse(cdr.answeredAt!);
    assert.ok(talkMs >= TALK_MS - 100 && talkMs < TALK_MS + 900, `answer to end took ${talkMs} ms`);
    assert.ok(
      cdr.talkTime >= 3 && cdr.talkTime <= 4,
      `talk time ${cdr.talkTime} s (whole seconds, rounded up)`,
    );
    assert.ok(cdr.duration >= cdr.talkTime, `duration ${cdr.duration} s >= talk time ${cdr.talkTime} s`);
    assert.equal(cdr.duration, Math.ceil((Date.parse(cdr.endedAt) - Date.parse(cdr.startedAt)) / 1000));
    assert.equal(cdr.hangupCause, "caller-bye");
    for (const leg of cdr.legs) {
      assert.match(leg.peer, /^sip:[^<>" ]+$/, `a bare URI: ${leg.peer}`);
      assert.match(leg.startedAt, ISO);
    }
  });

  it("the callee hangs up: callee-bye", async () => {
    const uas = await registeredUas(parley, "101", "call-uas-bye.xml");
    passed(await uac(parley, "100", "101", "call-uac-wait-bye.xml"), "caller", parley);
    passed(await uas.done, "callee", parley);
    const cdr = await nextCdr("101");
    assert.deepEqual([cdr.disposition, cdr.hangupCause], ["answered", "callee-bye"]);
    assert.ok(cdr.talkTime >= 1 && cdr.duration >= cdr.talkTime);
  });

  it("a busy callee (486): talk time 0, cause busy", async () => {
    const uas = await registeredUas(parley, "101", "call-uas-busy.xml");
    passed(await uac(parley, "100", "101", "call-uac-486.xml"), "caller", parley);
    passed(await uas.done, "callee", parley);
    const cdr = await nextCdr("101");
    assert.deepEqual(
      [cdr.disposition, cdr.sipStatus, cdr.talkTime, cdr.hangupCause],
      ["busy", 486, 0, "busy"],
    );
    assert.equal(cdr.answeredAt, undefined);
  });

  it("the daily CSV file has talk_time and hangup_cause, then the calling card columns", async () => {
    const dir = csvDir;
    let rows: Array<Record<string, string>> = [];
    for (let i = 0; i < 50 && rows.length < 3; i++) {
      const files = readdirSync(dir).filter((f) => f.endsWith(".csv"));
      rows = files.flatMap((f) => csvRecords(readFileSync(join(dir, f), "utf8")));
      if (rows.length < 3) await new Promise((r) => setTimeout(r, 100));
    }
    const header = readFileSync(join(dir, readdirSync(dir)[0]!), "utf8")
      .split("\r\n")[0]!
      .split(",");
    assert.deepEqual(header.slice(-4), ["talk_time", "hangup_cause", "card", "charge"]);
    assert.deepEqual(
      rows.map((r) => r.hangup_cause),
      ["caller-bye", "callee-bye", "busy"],
    );
    assert.equal(rows[2]?.talk_time, "0");
    assert.match(rows[0]?.start ?? "", ISO);
  });
});
