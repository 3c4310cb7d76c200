/**
 * The one timestamp format (issue 23): ISO 8601 in UTC with milliseconds and `Z` in every API
 * payload, CSV and CLI output; the parser of the API's and CLI's time filters.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  ISO_TIME_WITH_ZONE,
  isoTime,
  isoTimeOrUndefined,
  isoTimesReplacer,
  parseIsoTime,
  withIsoStamps,
} from "../../src/util/iso-time.js";

const T = Date.UTC(2026, 11, 7, 10, 15, 30, 123);

describe("isoTime()", () => {
  it("writes an epoch millisecond as ISO 8601 UTC with milliseconds and the zone Z", () => {
    assert.equal(isoTime(T), "2026-12-07T10:15:30.123Z");
    assert.equal(isoTime(0), "1970-01-01T00:00:00.000Z");
    assert.match(isoTime(T), ISO_TIME_WITH_ZONE);
  });

  it("round-trips through parseIsoTime()", () => {
    for (const ms of [0, T, T + 1, Date.UTC(2028, 1, 29, 23, 59, 59, 999)])
      assert.equal(parseIsoTime(isoTime(ms)), ms);
  });

  it("isoTimeOrUndefined() leaves an absent time absent", () => {
    assert.equal(isoTimeOrUndefined(undefined), undefined);
    assert.equal(isoTimeOrUndefined(T), "2026-12-07T10:15:30.123Z");
  });
});

describe("withIsoStamps()", () => {
  it("writes createdAt and updatedAt as ISO 8601 and keeps every other field", () => {
    const row = { id: 3, name: "100", createdAt: T, updatedAt: T + 1000, limit: 5 };
    assert.deepEqual(withIsoStamps(row), {
      id: 3,
      name: "100",
      createdAt: "2026-12-07T10:15:30.123Z",
      updatedAt: "2026-12-07T10:15:31.123Z",
      limit: 5,
    });
    assert.equal(row.createdAt, T, "the row itself is not changed");
  });
});

describe("isoTimesReplacer()", () => {
  it("writes the time fields of stored rows as ISO 8601 in JSON, nothing else", () => {
    const json = JSON.parse(
      JSON.stringify(
        { createdAt: T, updatedAt: T, startedAt: T, receivedAt: T, port: 5060, nested: { endedAt: T } },
        isoTimesReplacer,
      ),
    );
    assert.deepEqual(json, {
      createdAt: "2026-12-07T10:15:30.123Z",
      updatedAt: "2026-12-07T10:15:30.123Z",
      startedAt: "2026-12-07T10:15:30.123Z",
      receivedAt: "2026-12-07T10:15:30.123Z",
      port: 5060,
      nested: { endedAt: "2026-12-07T10:15:30.123Z" },
    });
  });
});

describe("parseIsoTime()", () => {
  it("reads a time with Z or an offset, and a date alone as UTC midnight", () => {
    assert.equal(parseIsoTime("2026-12-07T10:15:30.123Z"), T);
    assert.equal(parseIsoTime("2026-12-07T11:15:30.123+01:00"), T);
    assert.equal(parseIsoTime("2026-12-07"), Date.UTC(2026, 11, 7));
  });

  it("refuses a time without a zone and a time that names no real instant", () => {
    for (const bad of [
      "2026-12-07T10:15:30",
      "2026-13-01",
      "2026-02-30",
      "2026-12-07T24:00Z",
      "1765102530123",
    ])
      assert.equal(parseIsoTime(bad), undefined, bad);
  });
});
