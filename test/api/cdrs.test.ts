/** /api/v1/cdrs, /api/v1/cdrs.csv and /api/v1/calls through inject(), over a real SQLite store. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { parseIsoTime } from "../../src/api/routes/cdrs.js";
import { type CallRecord, CDR_CSV_COLUMNS } from "../../src/store/index.js";
import { MIN, sampleCdr, T0, unanswered } from "../store/cdr-fixtures.js";
import { csvRecords, parseCsv } from "../store/csv.js";
import { auth, type Harness, NOW, startHarness } from "./fixtures.js";

interface CdrJson {
  id: number;
  callId: string;
  caller: string;
  callerName: string;
  dialed: string;
  callee?: string;
  startedAt: string;
  answeredAt?: string;
  endedAt: string;
  duration: number;
  talkTime: number;
  hangupCause: string;
  disposition: string;
  sipStatus: number;
  legs: Array<{ role: string; startedAt: string; answeredAt?: string }>;
}
interface CdrPageJson {
  items: CdrJson[];
  total: number;
  offset: number;
  limit: number;
}
interface ErrorJson {
  error: string;
  errors?: Array<{ field: string; message: string }>;
}

describe("parseIsoTime()", () => {
  it("reads UTC, offsets, fractions and bare dates (UTC midnight)", () => {
    assert.equal(parseIsoTime("2027-01-15T08:00:00Z"), T0);
    assert.equal(parseIsoTime("2027-01-15T09:00:00+01:00"), T0);
    assert.equal(parseIsoTime("2027-01-15T03:30-04:30"), T0);
    assert.equal(parseIsoTime("2027-01-15T08:00:00.25Z"), T0 + 250);
    assert.equal(parseIsoTime("2027-01-15"), Date.UTC(2027, 0, 15));
    assert.equal(
      new Date(parseIsoTime("0099-01-01") ?? Number.NaN).toISOString(),
      "0099-01-01T00:00:00.000Z",
    );
  });

  it("refuses times that name no real instant, and times without an offset", () => {
    for (const bad of [
      "2027-02-29",
      "2027-13-01",
      "2027-01-15T24:00Z",
      "2027-01-15T08:60Z",
      "2027-01-15T08:00",
      "x",
    ])
      assert.equal(parseIsoTime(bad), undefined, bad);
    assert.equal(parseIsoTime("2028-02-29"), Date.UTC(2028, 1, 29));
  });
});

describe("the CDR and calls API", () => {
  let h: Harness;
  /** Newest first, as the API lists them. */
  const stored: CallRecord[] = [];

  before(async () => {
    h = await startHarness();
    const inputs = [
      sampleCdr({ startedAt: T0, callerName: 'Smith, "Bob" Jr.' }),
      unanswered("busy", { startedAt: T0 + MIN, caller: "102", dialed: "100", callee: "100" }),
      unanswered("failed", { startedAt: T0 + 2 * MIN, caller: "101", dialed: "999", callee: undefined }),
      sampleCdr({ startedAt: T0 + 3 * MIN, caller: "101", dialed: "100", callee: "100" }),
    ];
    for (const input of inputs) stored.unshift(await h.store.cdrs.insert(input));
  });
  after(() => h.close());

  const get = (url: string) => h.app.inject({ method: "GET", url, headers: auth });
  const ids = (items: ReadonlyArray<{ id?: number | string }>) => items.map((r) => Number(r.id));

  describe("GET /api/v1/cdrs", () => {
    it("lists every record newest first, times as ISO 8601, with paging defaults", async () => {
      const res = await get("/api/v1/cdrs");
      assert.equal(res.statusCode, 200);
      const page = res.json<CdrPageJson>();
      assert.deepEqual(ids(page.items), ids(stored));
      assert.deepEqual([page.total, page.offset, page.limit], [4, 0, 100]);
      const oldest = page.items[3];
      assert.equal(oldest.startedAt, "2027-01-15T08:00:00.000Z");
      assert.equal(oldest.answeredAt, "2027-01-15T08:00:04.000Z");
      assert.equal(oldest.duration, 66, "start to end");
      assert.equal(oldest.talkTime, 62, "answer to end");
      assert.equal(oldest.hangupCause, "caller-bye");
      assert.equal(oldest.callerName, 'Smith, "Bob" Jr.');
      assert.equal(oldest.legs[1].answeredAt, "2027-01-15T08:00:04.000Z");
      const failed = page.items.find((r) => r.disposition === "failed");
      assert.ok(failed);
      assert.equal("callee" in failed, false);
      assert.equal("answeredAt" in failed, false);
    });

    it("filters by from (inclusive) and to (exclusive), with offsets honoured", async () => {
      const page = (
        await get("/api/v1/cdrs?from=2027-01-15T09:01:00%2B01:00&to=2027-01-15T08:03:00Z")
      ).json<CdrPageJson>();
      assert.deepEqual(
        page.items.map((r) => r.disposition),
        ["failed", "busy"],
      );
    });

    it("filters by a number (caller, dialed or callee) and by disposition", async () => {
      const byNumber = (await get("/api/v1/cdrs?number=100")).json<CdrPageJson>();
      assert.deepEqual(
        ids(byNumber.items),
        ids(stored.filter((r) => [r.caller, r.dialed, r.callee].includes("100"))),
      );
      assert.equal(byNumber.total, 3);
      const busy = (await get("/api/v1/cdrs?disposition=busy")).json<CdrPageJson>();
      assert.deepEqual(
        busy.items.map((r) => r.caller),
        ["102"],
      );
    });

    it("pages with offset and limit; total counts every page", async () => {
      const page = (await get("/api/v1/cdrs?offset=1&limit=2")).json<CdrPageJson>();
      assert.deepEqual(ids(page.items), ids(stored.slice(1, 3)));
      assert.deepEqual([page.total, page.offset, page.limit], [4, 1, 2]);
    });

    it("answers 400 validation naming the field for a bad from, to, disposition or limit", async () => {
      const cases: Array<[string, string]> = [
        ["from=yesterday", "from"],
        ["from=2027-02-30T00:00:00Z", "from"],
        ["to=2027-01-15T08:00", "to"],
        ["disposition=lost", "disposition"],
        ["limit=5000", "limit"],
      ];
      for (const [query, field] of cases) {
        const res = await get(`/api/v1/cdrs?${query}`);
        assert.equal(res.statusCode, 400, query);
        const body = res.json<ErrorJson>();
        assert.equal(body.error, "validation");
        assert.deepEqual(
          body.errors?.map((e) => e.field),
          [field],
          query,
        );
      }
    });
  });

  describe("GET /api/v1/cdrs.csv", () => {
    it("streams text/csv as a dated attachment whose rows read back as the records", async () => {
      const res = await get("/api/v1/cdrs.csv");
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers["content-type"]), /^text\/csv; charset=utf-8/);
      assert.equal(res.headers["content-disposition"], `attachment; filename="cdrs-2027-01-15.csv"`);
      assert.equal(new Date(NOW).toISOString().slice(0, 10), "2027-01-15");
      assert.deepEqual(parseCsv(res.body)[0], [...CDR_CSV_COLUMNS]);
      const rows = csvRecords(res.body);
      assert.deepEqual(ids(rows), ids(stored));
      const oldest = rows[3];
      assert.equal(oldest.caller_name, 'Smith, "Bob" Jr.');
      assert.equal(oldest.start, "2027-01-15T08:00:00.000Z");
      assert.equal(oldest.duration, "66");
      assert.equal(oldest.talk_time, "62");
      assert.equal(oldest.hangup_cause, "caller-bye");
      assert.deepEqual(
        JSON.parse(oldest.legs),
        (await get("/api/v1/cdrs")).json<CdrPageJson>().items[3].legs,
      );
      const failed = rows.find((r) => r.disposition === "failed");
      assert.deepEqual([failed?.callee, failed?.answer], ["", ""]);
    });

    it("applies the same filters", async () => {
      const res = await get("/api/v1/cdrs.csv?number=100&from=2027-01-15T08:01:00Z");
      assert.deepEqual(
        csvRecords(res.body).map((r) => r.disposition),
        ["answered", "busy"],
      );
      const none = await get("/api/v1/cdrs.csv?disposition=cancelled");
      assert.deepEqual(parseCsv(none.body), [[...CDR_CSV_COLUMNS]]);
    });

    it("answers 400 naming the field for a bad from, before any CSV is sent", async () => {
      const res = await get("/api/v1/cdrs.csv?from=2027-13-01");
      assert.equal(res.statusCode, 400);
      assert.match(String(res.headers["content-type"]), /^application\/json/);
      assert.deepEqual(
        res.json<ErrorJson>().errors?.map((e) => e.field),
        ["from"],
      );
    });

    it("exports more records than one batch and one chunk, each exactly once, in order", async () => {
      const from = T0 + 24 * 60 * MIN;
      for (let i = 0; i < 1_234; i++) {
        await h.store.cdrs.insert(sampleCdr({ startedAt: from + (i % 600) * 1000, callId: `bulk-${i}` }));
      }
      const res = await get(`/api/v1/cdrs.csv?from=${new Date(from).toISOString()}`);
      const rows = csvRecords(res.body);
      assert.equal(rows.length, 1_234);
      assert.equal(new Set(rows.map((r) => r.call_id)).size, 1_234);
      const page = (
        await get(`/api/v1/cdrs?from=${new Date(from).toISOString()}&limit=1000`)
      ).json<CdrPageJson>();
      assert.deepEqual(ids(rows.slice(0, 1000)), ids(page.items));
    });
  });

  describe("/api/v1/calls", () => {
    it("GET lists the calls in progress with their legs, states and times", async () => {
      h.calls.add({
        id: "call-1",
        domainId: 1,
        caller: "100",
        dialed: "101",
        callee: "101",
        state: "answered",
        startedAt: NOW - 65_000,
        answeredAt: NOW - 61_500,
        legs: [
          { role: "caller", peer: "sip:100@192.0.2.10", callId: "a@x", state: "answered" },
          { role: "callee", peer: "sip:101@192.0.2.11", callId: "b@x", state: "answered" },
        ],
      });
      h.calls.add({
        id: "call-2",
        domainId: 1,
        caller: "102",
        dialed: "100",
        state: "ringing",
        startedAt: NOW - 3_000,
        legs: [
          { role: "caller", peer: "sip:102@192.0.2.12", callId: "c@x", state: "ringing" },
          { role: "callee", peer: "sip:100@192.0.2.20", callId: "d@x", state: "ringing" },
          { role: "callee", peer: "sip:100@192.0.2.21", callId: "e@x", state: "calling" },
        ],
      });
      const res = await get("/api/v1/calls");
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json(), {
        items: [
          {
            id: "call-1",
            domainId: 1,
            caller: "100",
            dialed: "101",
            callee: "101",
            state: "answered",
            startedAt: "2027-01-15T07:58:55.000Z",
            answeredAt: "2027-01-15T07:58:58.500Z",
            durationSeconds: 61,
            legs: [
              { role: "caller", peer: "sip:100@192.0.2.10", callId: "a@x", state: "answered" },
              { role: "callee", peer: "sip:101@192.0.2.11", callId: "b@x", state: "answered" },
            ],
          },
          {
            id: "call-2",
            domainId: 1,
            caller: "102",
            dialed: "100",
            state: "ringing",
            startedAt: "2027-01-15T07:59:57.000Z",
            durationSeconds: 0,
            legs: [
              { role: "caller", peer: "sip:102@192.0.2.12", callId: "c@x", state: "ringing" },
              { role: "callee", peer: "sip:100@192.0.2.20", callId: "d@x", state: "ringing" },
              { role: "callee", peer: "sip:100@192.0.2.21", callId: "e@x", state: "calling" },
            ],
          },
        ],
      });
    });

    it("DELETE ends a call with 204, and an unknown id is 404 not_found", async () => {
      const res = await h.app.inject({ method: "DELETE", url: "/api/v1/calls/call-2", headers: auth });
      assert.equal(res.statusCode, 204);
      assert.equal(res.body, "");
      assert.deepEqual(h.calls.hungUp, ["call-2"]);
      const again = await h.app.inject({ method: "DELETE", url: "/api/v1/calls/call-2", headers: auth });
      assert.equal(again.statusCode, 404);
      assert.equal(again.json<ErrorJson>().error, "not_found");
      assert.deepEqual(
        (await get("/api/v1/calls")).json<{ items: Array<{ id: string }> }>().items.map((c) => c.id),
        ["call-1"],
      );
    });

    it("every route needs the bearer token", async () => {
      for (const [method, url] of [
        ["GET", "/api/v1/calls"],
        ["DELETE", "/api/v1/calls/call-1"],
        ["GET", "/api/v1/cdrs"],
        ["GET", "/api/v1/cdrs.csv"],
      ] as const) {
        const res = await h.app.inject({ method, url });
        assert.equal(res.statusCode, 401, `${method} ${url}`);
      }
      assert.equal(h.calls.calls.size, 1);
    });
  });
});
