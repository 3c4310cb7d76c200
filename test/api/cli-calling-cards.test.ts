/**
 * `parley cards ...` and `parley card-rates ...` run as child processes over a SQLite store in a
 * temp data dir (issue 18: calling cards and rates in the CLI, CSV import and export, errors
 * naming the field). Proven: cards added, listed (text and JSON), changed, credited and deleted;
 * rates added by prefix ("" included), changed and deleted; export then import round-trips, and a
 * bad import changes nothing, naming row and field, exit 2; a missing card exits 1.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { runParleyCli } from "../helpers/parley-cli.js";

describe("parley cards and card-rates (CLI)", () => {
  let dataDir: string;
  const parley = (args: string[]) => runParleyCli(args, dataDir);

  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), "parley-cli-cards-"));
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it("adds, lists, changes, credits and deletes cards", async () => {
    const added = await parley(["cards", "add", "5001", "--pin", "1234", "--balance", "4.25"]);
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /5001\s+1234\s+4\.25\s+USD\s+never\s+yes/);
    const set = await parley([
      "cards",
      "set",
      "5001",
      "--expires",
      "2027-12-31T00:00:00Z",
      "--enabled",
      "no",
      "--json",
    ]);
    assert.equal(set.code, 0, set.stderr);
    const changed = JSON.parse(set.stdout) as { expiresAt: string; enabled: boolean };
    assert.deepEqual([changed.expiresAt, changed.enabled], ["2027-12-31T00:00:00.000Z", false]);
    const credited = await parley(["cards", "credit", "5001", "0.75", "--json"]);
    assert.equal(JSON.parse(credited.stdout).balance, 5);
    await parley(["cards", "add", "5002", "--pin", "9"]);
    const listed = JSON.parse((await parley(["cards", "list", "--json"])).stdout) as Array<{
      number: string;
    }>;
    assert.deepEqual(
      listed.map((c) => c.number),
      ["5001", "5002"],
    );
    assert.equal((await parley(["cards", "delete", "5002"])).code, 0);
    const missing = await parley(["cards", "delete", "5002"]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /calling card "5002" not found/);
  });

  it("refuses bad values naming the field, exit 2", async () => {
    const bad = await parley(["cards", "add", "50x", "--pin", "", "--balance", "1.00001"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /invalid number/);
    assert.match(bad.stderr, /invalid pin/);
    assert.match(bad.stderr, /invalid balance/);
    const credit = await parley(["cards", "credit", "5001", "-1"]);
    assert.equal(credit.code, 2);
    assert.match(credit.stderr, /invalid amount/);
  });

  it("adds, changes and deletes rates by prefix, the empty one included", async () => {
    const any = await parley(["card-rates", "add", "", "--per-minute", "0.1"]);
    assert.equal(any.code, 0, any.stderr);
    assert.match(any.stdout, /""\s+0\s+0\.1\s+60\/6/);
    await parley([
      "card-rates",
      "add",
      "0044",
      "--per-minute",
      "0.02",
      "--connect-charge",
      "0.05",
      "--increment",
      "1",
    ]);
    const set = await parley(["card-rates", "set", "", "--description", "anywhere", "--json"]);
    assert.equal(JSON.parse(set.stdout).description, "anywhere");
    const bad = await parley(["card-rates", "add", "00", "--per-minute", "x"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /invalid perMinute/);
    assert.equal((await parley(["card-rates", "delete", "0044"])).code, 0);
    assert.equal((await parley(["card-rates", "delete", "0044"])).code, 1);
  });

  it("exports and imports CSV; a bad import changes nothing and names row and field", async () => {
    const file = join(dataDir, "cards.csv");
    assert.equal((await parley(["cards", "export", file])).code, 0);
    assert.equal(
      readFileSync(file, "utf8"),
      "number,pin,balance,currency,expires_at,enabled\r\n5001,1234,5,USD,2027-12-31T00:00:00.000Z,no\r\n",
    );
    writeFileSync(file, "number,pin,balance\n6001,1,2.5\n6002,2,oops\n");
    const bad = await parley(["cards", "import", file]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /invalid row 3\.balance/);
    writeFileSync(file, "number,pin,balance\n6001,1,2.5\n5001,1234,9\n");
    const good = await parley(["cards", "import", file]);
    assert.equal(good.code, 0, good.stderr);
    assert.match(good.stdout, /1 created, 1 changed/);
    const listed = JSON.parse((await parley(["cards", "list", "--json"])).stdout) as Array<{
      number: string;
      balance: number;
    }>;
    assert.deepEqual(
      listed.map((c) => [c.number, c.balance]),
      [
        ["5001", 9],
        ["6001", 2.5],
      ],
    );
    const rates = await parley(["card-rates", "export"]);
    assert.match(
      rates.stdout,
      /^prefix,connect_charge,per_minute,first_increment,increment,description\r\n,0,0\.1,60,6,anywhere\r\n$/,
    );
    const rateFile = join(dataDir, "rates.csv");
    writeFileSync(rateFile, "prefix,per_minute\n0049,0.03\n");
    assert.match((await parley(["card-rates", "import", rateFile])).stdout, /1 created, 0 changed/);
  });
});
