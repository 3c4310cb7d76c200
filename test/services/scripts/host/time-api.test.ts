/**
 * The `time` namespace of service scripts (issue 18: "time and time-zone helpers";
 * src/services/scripts/host/time-api.ts), through real Lua on a set clock: now() in epoch seconds
 * with the milliseconds; date(tz) in an IANA zone with Lua's os.date fields (checked against
 * os.date("!*t") itself over a year and more, wday 1 = Sunday), daylight saving time followed;
 * is_between() with [from, to) at minute precision, spanning midnight; weekday(); the system's
 * zone by default; an unknown zone or a bad "HH:MM" is an error naming it.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { timeApi } from "../../../../src/services/scripts/host/time-api.js";
import { lua, luaError } from "./lua.js";

/** Sunday 4 January 2026, 23:30:15.250 UTC. */
const SUNDAY_NIGHT = Date.UTC(2026, 0, 4, 23, 30, 15, 250);

const at = (ms: number, zone?: string) => ({ time: timeApi({ now: () => ms, ...(zone ? { zone } : {}) }) });

describe("time host API", () => {
  it("now() is epoch seconds with the milliseconds", async () => {
    assert.equal(await lua("return time.now()", at(SUNDAY_NIGHT)), SUNDAY_NIGHT / 1000);
    const real = (await lua("return time.now()", { time: timeApi() })) as number;
    assert.ok(Math.abs(real - Date.now() / 1000) < 5);
  });

  it("date(tz) gives the wall clock of the zone", async () => {
    const fields =
      "local d = time.date(%s) return { d.year, d.month, d.day, d.hour, d.min, d.sec, d.wday, d.yday, d.tz }";
    const date = (tz: string, ms = SUNDAY_NIGHT) => lua(fields.replace("%s", JSON.stringify(tz)), at(ms));
    assert.deepEqual(await date("UTC"), [2026, 1, 4, 23, 30, 15, 1, 4, "UTC"]);
    assert.deepEqual(await date("Asia/Shanghai"), [2026, 1, 5, 7, 30, 15, 2, 5, "Asia/Shanghai"]);
    assert.deepEqual(await date("America/Los_Angeles"), [
      2026,
      1,
      4,
      15,
      30,
      15,
      1,
      4,
      "America/Los_Angeles",
    ]);
    // The last day of a leap year; New York either side of the spring change (8 March 2026).
    assert.deepEqual(await date("UTC", Date.UTC(2024, 11, 31, 12)), [2024, 12, 31, 12, 0, 0, 3, 366, "UTC"]);
    const ny = (ms: number) => lua(`return time.date("America/New_York").hour`, at(ms));
    assert.equal(await ny(Date.UTC(2026, 2, 8, 6, 30)), 1, "01:30 EST");
    assert.equal(await ny(Date.UTC(2026, 2, 8, 7, 30)), 3, "03:30 EDT: 02:30 never happened");
  });

  it("date() has os.date's fields and conventions: equal to os.date('!*t') all year round", async () => {
    let clock = Date.UTC(2023, 11, 25, 0, 0, 0);
    const api = {
      time: timeApi({ now: () => clock }),
      // Asynchronous: each day is a slice of its own, well within the CPU budget of one.
      set_clock: async (s: unknown) => {
        clock = Number(s) * 1000;
      },
    };
    const mismatches = await lua(
      `local bad = {}
       for i = 0, 420 do
         local t = ${clock / 1000} + i * (86400 + 3607)
         set_clock(t)
         local ours, lua = time.date("UTC"), os.date("!*t", t)
         for _, f in ipairs({ "year", "month", "day", "hour", "min", "sec", "wday", "yday" }) do
           if ours[f] ~= lua[f] then bad[#bad + 1] = os.date("!%c", t) .. " " .. f end
         end
       end
       return #bad == 0 and "none" or table.concat(bad, "; ")`,
      api,
    );
    assert.equal(mismatches, "none");
  });

  it("is_between(from, to) is [from, to) to the minute, and may span midnight", async () => {
    const between = (from: string, to: string, tz: string) =>
      lua(`return time.is_between("${from}", "${to}", "${tz}")`, at(SUNDAY_NIGHT));
    // 23:30 in UTC, 07:30 in Shanghai.
    assert.equal(await between("22:00", "06:00", "UTC"), true);
    assert.equal(await between("09:00", "18:00", "UTC"), false);
    assert.equal(await between("22:00", "06:00", "Asia/Shanghai"), false);
    assert.equal(await between("07:30", "07:31", "Asia/Shanghai"), true, "from is in");
    assert.equal(await between("07:00", "07:30", "Asia/Shanghai"), false, "to is out");
    assert.equal(await between("00:00", "24:00", "Asia/Shanghai"), true, "24:00 ends the day");
    assert.equal(await between("08:00", "08:00", "Asia/Shanghai"), false, "equal bounds: empty");
    assert.equal(await between("23:00", "7:45", "Asia/Shanghai"), true, "one-digit hours");
  });

  it("weekday(tz) is 1 (Sunday) to 7 (Saturday)", async () => {
    assert.deepEqual(
      await lua(
        `return { time.weekday("UTC"), time.weekday("Asia/Shanghai"), time.weekday("Pacific/Kiritimati") }`,
        at(SUNDAY_NIGHT),
      ),
      [1, 2, 2],
    );
    assert.equal(await lua(`return time.weekday("UTC")`, at(Date.UTC(2026, 0, 10, 12))), 7);
  });

  it("with no zone, the configured one, else the system's", async () => {
    assert.equal(await lua("return time.date().tz", at(SUNDAY_NIGHT, "Asia/Tokyo")), "Asia/Tokyo");
    assert.equal(await lua("return time.date().hour", at(SUNDAY_NIGHT, "Asia/Tokyo")), 8);
    const system = Intl.DateTimeFormat().resolvedOptions().timeZone;
    assert.equal(await lua("return time.date().tz", { time: timeApi() }), system);
  });

  it("an unknown zone or a bad time of day is an error naming it", async () => {
    const t = at(SUNDAY_NIGHT);
    assert.match(
      await luaError(`time.date("Mars/Olympus_Mons")`, t),
      /^test\.lua:\d+: time\.date: unknown time zone "Mars\/Olympus_Mons" \(use an IANA name such as "Europe\/Paris"\)$/,
    );
    assert.match(await luaError(`time.weekday("Nowhere")`, t), /time\.weekday: unknown time zone "Nowhere"/);
    assert.match(
      await luaError(`time.date(8)`, t),
      /time\.date: the time zone must be a string, not number$/,
    );
    assert.match(
      await luaError(`time.is_between("25:00", "06:00")`, t),
      /time\.is_between: from must be a time of day "HH:MM" \(00:00 to 23:59\), not "25:00"$/,
    );
    assert.match(await luaError(`time.is_between("24:00", "06:00")`, t), /from must be a time of day/);
    assert.match(
      await luaError(`time.is_between("08:00", "8.30")`, t),
      /to must be a time of day .*not "8\.30"$/,
    );
    assert.match(await luaError(`time.is_between("08:00")`, t), /to must be a string, not nil$/);
  });
});
