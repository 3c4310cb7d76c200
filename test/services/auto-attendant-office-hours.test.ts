/**
 * Office hours (issue 17, time conditions): a moment is read on the wall clock of the condition's
 * IANA zone (daylight saving included), hours are [from, to), a holiday ("YYYY-MM-DD" once,
 * "MM-DD" every year) closes the whole day and answers with the holiday destination, or the
 * out-of-hours one when it has none.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { destinationAt, localTime, periodAt } from "../../src/services/auto-attendant/office-hours.js";
import type { TimeCondition } from "../../src/store/auto-attendant-model.js";

const condition = (over: Partial<TimeCondition> = {}): TimeCondition => ({
  id: 1,
  domainId: 1,
  name: "office",
  timeZone: "Asia/Shanghai",
  schedule: [{ days: ["mon", "tue", "wed", "thu", "fri"], from: "09:00", to: "18:00" }],
  holidays: [],
  inHours: { kind: "menu", target: "day" },
  outOfHours: { kind: "menu", target: "night" },
  holiday: null,
  createdAt: 0,
  updatedAt: 0,
  ...over,
});

describe("office hours", () => {
  it("localTime() reads the zone's wall clock (UTC+8, no daylight saving)", () => {
    // Monday 2026-12-07 01:30 UTC is 09:30 in Shanghai.
    assert.deepEqual(localTime(Date.UTC(2026, 11, 7, 1, 30), "Asia/Shanghai"), {
      date: "2026-12-07",
      weekday: "mon",
      time: "09:30",
    });
  });

  it("periodAt() is in hours from 'from' up to, not including, 'to'", () => {
    const c = condition();
    assert.equal(periodAt(c, Date.UTC(2026, 11, 7, 0, 59)), "out-of-hours"); // 08:59
    assert.equal(periodAt(c, Date.UTC(2026, 11, 7, 1, 0)), "in-hours"); // 09:00
    assert.equal(periodAt(c, Date.UTC(2026, 11, 7, 9, 59)), "in-hours"); // 17:59
    assert.equal(periodAt(c, Date.UTC(2026, 11, 7, 10, 0)), "out-of-hours"); // 18:00
  });

  it("periodAt() is out of hours on a day the schedule does not name (Saturday)", () => {
    assert.equal(periodAt(condition(), Date.UTC(2026, 11, 12, 3, 0)), "out-of-hours");
  });

  it("the same moment is in hours in one zone and out of hours in another", () => {
    const at = Date.UTC(2026, 11, 7, 2, 0); // 10:00 Shanghai, 21:00 Sunday in New York
    assert.equal(periodAt(condition(), at), "in-hours");
    assert.equal(periodAt(condition({ timeZone: "America/New_York" }), at), "out-of-hours");
  });

  it("follows daylight saving: 09:30 New York is 13:30 UTC in summer, 14:30 in winter", () => {
    const ny = condition({ timeZone: "America/New_York" });
    assert.equal(periodAt(ny, Date.UTC(2026, 6, 6, 13, 30)), "in-hours"); // Mon 6 July, EDT
    assert.equal(periodAt(ny, Date.UTC(2026, 11, 7, 13, 30)), "out-of-hours"); // Mon 7 Dec, 08:30 EST
    assert.equal(periodAt(ny, Date.UTC(2026, 11, 7, 14, 30)), "in-hours");
  });

  it("a holiday closes the whole day; MM-DD every year, YYYY-MM-DD that year only", () => {
    const c = condition({ holidays: ["2026-12-07", "10-01"] });
    assert.equal(periodAt(c, Date.UTC(2026, 11, 7, 3, 0)), "holiday");
    assert.equal(periodAt(c, Date.UTC(2027, 11, 6, 3, 0)), "in-hours"); // Mon 2027-12-06
    assert.equal(periodAt(c, Date.UTC(2027, 9, 1, 3, 0)), "holiday"); // Fri 2027-10-01
    // The holiday is the zone's date: 2026-12-06 20:00 UTC is already the 7th in Shanghai.
    assert.equal(periodAt(c, Date.UTC(2026, 11, 6, 20, 0)), "holiday");
  });

  it("destinationAt() answers with in-hours, out-of-hours, or the holiday destination (else out of hours)", () => {
    const monday10 = Date.UTC(2026, 11, 7, 2, 0);
    assert.deepEqual(destinationAt(condition(), monday10).destination, { kind: "menu", target: "day" });
    const closed = condition({ holidays: ["12-07"] });
    assert.deepEqual(destinationAt(closed, monday10), {
      period: "holiday",
      destination: { kind: "menu", target: "night" },
    });
    const own = condition({ holidays: ["12-07"], holiday: { kind: "voicemail", target: "100" } });
    assert.deepEqual(destinationAt(own, monday10).destination, { kind: "voicemail", target: "100" });
  });
});
