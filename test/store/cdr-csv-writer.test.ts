/** The daily CDR CSV files and the CdrSink, on real files in a temp dir and a real SQLite store. */
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import {
  type CallRecord,
  CDR_CSV_COLUMNS,
  CdrCsvWriter,
  type CdrLog,
  CdrRecorder,
  type CdrRepository,
  cdrCsvRow,
  csvField,
  openStore,
} from "../../src/store/index.js";
import { sampleCdr, unanswered } from "./cdr-fixtures.js";
import { csvRecords, parseCsv } from "./csv.js";

/** A log that keeps what it is given. */
class MemoryLog implements CdrLog {
  readonly lines: Array<{ obj: Record<string, unknown>; msg: string }> = [];
  error(obj: unknown, msg?: string): void {
    this.lines.push({ obj: obj as Record<string, unknown>, msg: msg ?? "" });
  }
}

const JAN_15_LAST_MS = Date.UTC(2027, 0, 15, 23, 59, 59, 999);
const JAN_16_MIDNIGHT = Date.UTC(2027, 0, 16, 0, 0, 0, 0);

/** A record whose call ends at `endedAt`. */
function endingAt(endedAt: number, over: Parameters<typeof sampleCdr>[0] = {}) {
  return sampleCdr({ startedAt: endedAt - 70_000, answeredAt: endedAt - 60_000, endedAt, ...over });
}

describe("csvField()", () => {
  it("leaves plain text alone and quotes commas, quotes, CR and LF (RFC 4180 2.6, 2.7)", () => {
    assert.equal(csvField("plain text"), "plain text");
    assert.equal(csvField(""), "");
    assert.equal(csvField("a,b"), '"a,b"');
    assert.equal(csvField('say "hi"'), '"say ""hi"""');
    assert.equal(csvField("two\nlines"), '"two\nlines"');
    assert.equal(csvField("cr\r"), '"cr\r"');
  });
});

describe("cdrCsvRow()", () => {
  it("writes one CRLF-terminated row with a field per column, times in ISO 8601 UTC", () => {
    const row = cdrCsvRow({ ...sampleCdr(), id: 7 });
    const [fields] = parseCsv(row);
    assert.equal(fields.length, CDR_CSV_COLUMNS.length);
    const r = Object.fromEntries(CDR_CSV_COLUMNS.map((c, i) => [c, fields[i]]));
    assert.equal(r.id, "7");
    assert.equal(r.start, "2027-01-15T08:00:00.000Z");
    assert.equal(r.answer, "2027-01-15T08:00:04.000Z");
    assert.equal(r.duration, "66", "start to end, rounded up");
    assert.equal(r.talk_time, "62", "answer to end, rounded up");
    assert.equal(r.hangup_cause, "caller-bye");
    assert.deepEqual(
      CDR_CSV_COLUMNS.slice(-4),
      ["talk_time", "hangup_cause", "card", "charge"],
      "new columns go at the end",
    );
    const legs = JSON.parse(r.legs) as Array<Record<string, unknown>>;
    assert.deepEqual(
      legs.map((l) => [l.peer, l.startedAt, l.answeredAt, l.endedAt]),
      [
        ["sip:100@192.0.2.10:5060", "2027-01-15T08:00:00.000Z", undefined, "2027-01-15T08:01:05.500Z"],
        [
          "sip:101@192.0.2.11:5060",
          "2027-01-15T08:00:00.010Z",
          "2027-01-15T08:00:04.000Z",
          "2027-01-15T08:01:05.500Z",
        ],
      ],
      "the legs' times are ISO 8601 too",
    );
  });

  it("leaves answer, callee and id empty when absent", () => {
    const { callee: _c, ...failed } = unanswered("failed");
    const [fields] = parseCsv(cdrCsvRow(failed));
    const r = Object.fromEntries(CDR_CSV_COLUMNS.map((c, i) => [c, fields[i]]));
    assert.deepEqual(
      [r.id, r.callee, r.answer, r.duration, r.talk_time, r.hangup_cause],
      ["", "", "", "20", "0", "rejected 404"],
    );
  });
});

describe("CdrCsvWriter", () => {
  let dir: string;
  let log: MemoryLog;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "parley-cdr-csv-"));
    log = new MemoryLog();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("creates the directory and writes the header once, then one row per record", async () => {
    const csvDir = join(dir, "cdr", "daily");
    const writer = new CdrCsvWriter(csvDir, log);
    await writer.append({ ...endingAt(Date.UTC(2027, 0, 15, 9)), id: 1 });
    await writer.append({ ...endingAt(Date.UTC(2027, 0, 15, 10)), id: 2 });
    const text = readFileSync(join(csvDir, "cdr-2027-01-15.csv"), "utf8");
    const rows = parseCsv(text);
    assert.deepEqual(rows[0], [...CDR_CSV_COLUMNS]);
    assert.deepEqual(
      rows.slice(1).map((r) => r[0]),
      ["1", "2"],
    );
    assert.equal(log.lines.length, 0);
  });

  it("adds no second header to a file that already has rows (a restart)", async () => {
    await new CdrCsvWriter(dir, log).append({ ...endingAt(Date.UTC(2027, 0, 15, 9)), id: 1 });
    await new CdrCsvWriter(dir, log).append({ ...endingAt(Date.UTC(2027, 0, 15, 10)), id: 2 });
    const rows = parseCsv(readFileSync(join(dir, "cdr-2027-01-15.csv"), "utf8"));
    assert.equal(rows.length, 3);
    assert.equal(rows.filter((r) => r[0] === "id").length, 1);
  });

  it("writes a header into an existing empty file", async () => {
    writeFileSync(join(dir, "cdr-2027-01-15.csv"), "");
    await new CdrCsvWriter(dir, log).append(endingAt(Date.UTC(2027, 0, 15, 9)));
    assert.equal(parseCsv(readFileSync(join(dir, "cdr-2027-01-15.csv"), "utf8"))[0][0], "id");
  });

  it("quotes commas, quotes and newlines so the fields read back exactly", async () => {
    const awkward = 'Smith, "Bob"\r\nJr.';
    await new CdrCsvWriter(dir, log).append(
      endingAt(JAN_15_LAST_MS, { callerName: awkward, sipReason: "a,b" }),
    );
    const [record] = csvRecords(readFileSync(join(dir, "cdr-2027-01-15.csv"), "utf8"));
    assert.equal(record.caller_name, awkward);
    assert.equal(record.sip_reason, "a,b");
  });

  it("splits files at UTC midnight by the call's end time", async () => {
    const writer = new CdrCsvWriter(dir, log);
    await Promise.all([
      writer.append({ ...endingAt(JAN_15_LAST_MS), id: 1 }),
      writer.append({ ...endingAt(JAN_16_MIDNIGHT), id: 2 }),
      writer.append({ ...endingAt(JAN_15_LAST_MS - 1), id: 3 }),
    ]);
    assert.deepEqual(readdirSync(dir).sort(), ["cdr-2027-01-15.csv", "cdr-2027-01-16.csv"]);
    const ids = (file: string) => csvRecords(readFileSync(join(dir, file), "utf8")).map((r) => r.id);
    assert.deepEqual(ids("cdr-2027-01-15.csv"), ["1", "3"]);
    assert.deepEqual(ids("cdr-2027-01-16.csv"), ["2"]);
    const [late] = csvRecords(readFileSync(join(dir, "cdr-2027-01-16.csv"), "utf8"));
    assert.equal(late.end, "2027-01-16T00:00:00.000Z");
  });

  it("keeps every one of many appends not awaited one by one, in order, with one header", async () => {
    const writer = new CdrCsvWriter(dir, log);
    const writes: Array<Promise<void>> = [];
    for (let id = 1; id <= 300; id++)
      writes.push(writer.append({ ...endingAt(Date.UTC(2027, 0, 15, 9)), id }));
    await writer.flush();
    await Promise.all(writes);
    const records = csvRecords(readFileSync(join(dir, "cdr-2027-01-15.csv"), "utf8"));
    assert.deepEqual(
      records.map((r) => Number(r.id)),
      Array.from({ length: 300 }, (_, i) => i + 1),
    );
  });

  it("logs each row it cannot write, with the whole row, and never rejects", async () => {
    const blocked = join(dir, "not-a-dir");
    writeFileSync(blocked, "a file where the directory should be");
    const writer = new CdrCsvWriter(blocked, log);
    await writer.append({ ...endingAt(JAN_15_LAST_MS, { callId: "lost-1" }), id: 1 });
    await writer.append({ ...endingAt(JAN_15_LAST_MS, { callId: "lost-2" }), id: 2 });
    assert.deepEqual(
      log.lines.map((l) => l.obj.callId),
      ["lost-1", "lost-2"],
    );
    const [fields] = parseCsv(`${String(log.lines[0].obj.csv)}\r\n`);
    assert.equal(fields[1], "lost-1");
    assert.ok(log.lines[0].obj.err instanceof Error);
  });
});

describe("CdrRecorder (the CdrSink)", () => {
  let dir: string;
  let log: MemoryLog;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "parley-cdr-sink-"));
    log = new MemoryLog();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("record() stores the CDR and appends the stored record (with its id) to the day's file", async () => {
    const store = await openStore({ kind: "sqlite", file: join(dir, "parley.db") });
    try {
      await store.migrate();
      const sink = new CdrRecorder(store.cdrs, log, new CdrCsvWriter(join(dir, "cdr"), log));
      const stored = await sink.record(sampleCdr());
      assert.ok(stored);
      assert.deepEqual((await store.cdrs.list({ domainId: 1 })).items, [stored]);
      const [row] = csvRecords(readFileSync(join(dir, "cdr", "cdr-2027-01-15.csv"), "utf8"));
      assert.equal(row.id, String(stored.id));
      assert.equal(row.call_id, stored.callId);
    } finally {
      await store.close();
    }
  });

  it("record() works without a CSV directory", async () => {
    const store = await openStore({ kind: "sqlite", file: join(dir, "parley.db") });
    try {
      await store.migrate();
      const stored = await new CdrRecorder(store.cdrs, log).record(unanswered("busy"));
      assert.equal(stored?.disposition, "busy");
      assert.deepEqual(
        readdirSync(dir).filter((f) => f.endsWith(".csv")),
        [],
      );
    } finally {
      await store.close();
    }
  });

  it("an invalid record is logged whole, resolves undefined and goes to no file", async () => {
    const store = await openStore({ kind: "sqlite", file: join(dir, "parley.db") });
    try {
      await store.migrate();
      const sink = new CdrRecorder(store.cdrs, log, new CdrCsvWriter(dir, log));
      const bad = sampleCdr({ domainId: 0 });
      assert.equal(await sink.record(bad), undefined);
      assert.equal(log.lines.length, 1);
      assert.deepEqual(log.lines[0].obj.cdr, bad);
      assert.deepEqual(
        readdirSync(dir).filter((f) => f.endsWith(".csv")),
        [],
      );
    } finally {
      await store.close();
    }
  });

  it("a store failure is logged with the record, which still reaches the CSV file (no id)", async () => {
    const failing: CdrRepository = {
      insert: async () => {
        throw new Error("database is gone");
      },
      list: async () => ({ items: [], total: 0 }),
      async *iterate(): AsyncGenerator<CallRecord> {},
    };
    const sink = new CdrRecorder(failing, log, new CdrCsvWriter(dir, log));
    assert.equal(await sink.record(sampleCdr({ callId: "kept" })), undefined);
    assert.equal(log.lines.length, 1);
    assert.equal((log.lines[0].obj.cdr as { callId: string }).callId, "kept");
    const [row] = csvRecords(readFileSync(join(dir, "cdr-2027-01-15.csv"), "utf8"));
    assert.deepEqual([row.id, row.call_id], ["", "kept"]);
  });
});
