/**
 * `parley cdr list|export` run as a child process over a SQLite store in a temp data dir, no server
 * running (issue 23: the CLI covers what the API covers; CDRs are in the store). Proven: the list
 * as a table and, with --json, the very payload of GET /api/v1/cdrs for the same filters and page;
 * each filter of the API (--from, --to, --number, --disposition) and paging; each bad option named
 * with exit 2; the export byte for byte the body of GET /api/v1/cdrs.csv (filtered too, and past
 * the store's batch and the writer's chunk sizes), to stdout or into --output (no half file left
 * on failure, a bad --output named). Not covered: MySQL/PostgreSQL (the same store calls, tested
 * per backend in test/store).
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { createApi } from "../../src/api/index.js";
import { type Store, storeFromUrl } from "../../src/store/index.js";
import { runParleyCli } from "../helpers/parley-cli.js";
import { MIN, sampleCdr, T0, unanswered } from "../store/cdr-fixtures.js";
import { auth, baseApiDeps } from "./fixtures.js";

/** A data dir whose store holds `records`, and an API over the same store to compare with. */
async function seeded(
  prefix: string,
  records: (domainId: number) => Parameters<Store["cdrs"]["insert"]>[0][],
): Promise<{ dataDir: string; store: Store; app: FastifyInstance }> {
  const dataDir = mkdtempSync(join(tmpdir(), prefix));
  const store = await storeFromUrl(undefined, dataDir);
  await store.migrate();
  const domainId = (await store.domains.getDefault()).id;
  for (const record of records(domainId)) await store.cdrs.insert(record);
  const app = await createApi({ ...baseApiDeps(store), now: () => T0 });
  return { dataDir, store, app };
}

describe("parley cdr (CLI)", () => {
  let dataDir: string;
  let store: Store;
  let app: FastifyInstance;
  const cli = (...args: string[]) => runParleyCli(["cdr", ...args], dataDir);
  const api = async (path: string) => {
    const res = await app.inject({ method: "GET", url: `/api/v1${path}`, headers: auth });
    assert.equal(res.statusCode, 200, res.body);
    return res.body;
  };

  before(async () => {
    ({ dataDir, store, app } = await seeded("parley-cli-cdr-", (domainId) => [
      sampleCdr({ domainId, startedAt: T0, callerName: 'Smith, "Bob" Jr.' }),
      unanswered("busy", { domainId, startedAt: T0 + MIN, caller: "102", dialed: "100", callee: "100" }),
      unanswered("failed", {
        domainId,
        startedAt: T0 + 2 * MIN,
        caller: "101",
        dialed: "999",
        callee: undefined,
      }),
      sampleCdr({
        domainId,
        startedAt: T0 + 3 * MIN,
        caller: "101",
        callerName: "",
        dialed: "100",
        callee: "100",
      }),
    ]));
  });
  after(async () => {
    await app.close();
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  describe("cdr list", () => {
    it("lists the records newest first as a table, with the page it shows", async () => {
      const r = await cli("list");
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.trimEnd().split("\n");
      assert.match(
        lines[0]!,
        /^ID\s+STARTED\s+CALLER\s+DIALED\s+CALLEE\s+RESULT\s+DURATION\s+TALK\s+CAUSE\s+SIP$/,
      );
      assert.match(
        lines[1]!,
        /^4\s+2027-01-15T08:03:00\.000Z\s+101\s+100\s+100\s+answered\s+1:06\s+1:02\s+caller-bye\s+200 OK$/,
      );
      assert.match(
        lines[2]!,
        /^3\s+2027-01-15T08:02:00\.000Z\s+101 \(Alice\)\s+999\s+-\s+failed\s+0:20\s+-\s+rejected 404\s+404 Nope$/,
      );
      assert.match(
        lines[3]!,
        /^2\s+2027-01-15T08:01:00\.000Z\s+102 \(Alice\)\s+100\s+100\s+busy\s+0:20\s+-\s+busy\s+486 Nope$/,
      );
      assert.match(
        lines[4]!,
        /^1\s+2027-01-15T08:00:00\.000Z\s+100 \(Smith, "Bob" Jr\.\)\s+101\s+101\s+answered\s+1:06\s+1:02\s+caller-bye/,
      );
      assert.equal(lines[5], "1-4 of 4 records");
    });

    it("prints GET /api/v1/cdrs's payload with --json, for the same filters and page", async () => {
      const query = [
        "--number",
        "100",
        "--from",
        "2027-01-15T09:00:30+01:00",
        "--offset",
        "1",
        "--limit",
        "1",
      ];
      const r = await cli("list", ...query, "--json");
      assert.equal(r.code, 0, r.stderr);
      const body = await api(
        `/cdrs?number=100&from=${encodeURIComponent("2027-01-15T09:00:30+01:00")}&offset=1&limit=1`,
      );
      assert.deepEqual(JSON.parse(r.stdout), JSON.parse(body));
      assert.deepEqual(
        (JSON.parse(r.stdout) as { items: Array<{ id: number }>; total: number }).items.map((c) => c.id),
        [2],
      );
      assert.equal((JSON.parse(r.stdout) as { total: number }).total, 2);
    });

    it("filters by --disposition and by --to (a UTC date or a time)", async () => {
      const [busy, before8_02] = await Promise.all([
        cli("list", "--disposition", "busy", "--json"),
        cli("list", "--to", "2027-01-15T08:02:00Z"),
      ]);
      assert.deepEqual(
        (JSON.parse(busy.stdout) as { items: Array<{ id: number; disposition: string }> }).items.map((c) => [
          c.id,
          c.disposition,
        ]),
        [[2, "busy"]],
      );
      assert.match(before8_02.stdout, /^2\s.*\n1\s.*\n1-2 of 2 records\n$/m);
    });

    it('says "no call records" when none match', async () => {
      const r = await cli("list", "--disposition", "cancelled");
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, "no call records\n");
    });

    it("refuses each bad option with exit 2, naming it", async () => {
      const cases: [string[], RegExp][] = [
        [["--from", "2027-13-01"], /--from must be an ISO 8601 date.* \(not "2027-13-01"\)/],
        [["--to", "2027-01-15T08:00"], /--to must be an ISO 8601 date/],
        [
          ["--disposition", "lost"],
          /--disposition must be one of answered, busy, no-answer, failed, cancelled/,
        ],
        [["--number", "1".repeat(200)], /--number must be 1 to \d+ characters/],
        [["--limit", "5000"], /--limit must be a whole number from 0 to 1000 \(not "5000"\)/],
        [["--offset", "-1"], /--offset must be a whole number/],
      ];
      const results = await Promise.all(cases.map(([args]) => cli("list", ...args)));
      for (const [i, r] of results.entries()) {
        assert.equal(r.code, 2, `${cases[i]![0].join(" ")}: ${r.stderr}`);
        assert.match(r.stderr, cases[i]![1]);
        assert.equal(r.stdout, "");
      }
    });
  });

  describe("cdr export", () => {
    it("writes GET /api/v1/cdrs.csv's body to stdout, byte for byte, filtered too", async () => {
      const [all, filtered] = await Promise.all([
        cli("export"),
        cli("export", "--number", "100", "--from", "2027-01-15T08:01:00Z"),
      ]);
      assert.equal(all.code, 0, all.stderr);
      assert.equal(all.stdout, await api("/cdrs.csv"));
      assert.equal(all.stdout.split("\r\n").length, 6); // header, 4 rows, and the last CRLF
      assert.equal(filtered.stdout, await api("/cdrs.csv?number=100&from=2027-01-15T08:01:00Z"));
      assert.equal(filtered.stdout.split("\r\n").length, 4);
    });

    it("writes into --output, reporting the count, and leaves no temporary behind", async () => {
      const out = join(dataDir, "export.csv");
      const r = await cli("export", "--disposition", "answered", "--output", out);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `2 records written to ${out}\n`);
      assert.equal(readFileSync(out, "utf8"), await api("/cdrs.csv?disposition=answered"));
      const json = await cli("export", "--output", out, "--json");
      assert.deepEqual(JSON.parse(json.stdout), { file: out, records: 4 });
      assert.equal(readFileSync(out, "utf8"), await api("/cdrs.csv"));
      assert.deepEqual(
        readdirSync(dataDir).filter((f) => f.includes("partial")),
        [],
      );
    });

    it("refuses a bad filter, an --output it cannot write and --json without --output, with exit 2", async () => {
      const missing = join(dataDir, "no-such-dir", "x.csv");
      const [bad, unwritable, json] = await Promise.all([
        cli("export", "--from", "yesterday"),
        cli("export", "--output", missing),
        cli("export", "--json"),
      ]);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /--from must be an ISO 8601 date/);
      assert.equal(bad.stdout, "");
      assert.equal(unwritable.code, 2);
      assert.match(unwritable.stderr, /--output: cannot write .*x\.csv \(ENOENT\)/);
      assert.equal(existsSync(missing), false);
      assert.equal(json.code, 2);
      assert.match(json.stderr, /--json reports on an --output file/);
    });
  });

  describe("past one store batch and one write chunk", () => {
    let big: Awaited<ReturnType<typeof seeded>>;
    before(async () => {
      // 1,200 records: more than the store's 500-row batches, and well over 64 KiB of CSV.
      big = await seeded("parley-cli-cdr-big-", (domainId) =>
        Array.from({ length: 1200 }, (_, i) =>
          sampleCdr({ domainId, startedAt: T0 + Math.floor(i / 3) * 1000, callId: `big-${i}` }),
        ),
      );
    });
    after(async () => {
      await big.app.close();
      await big.store.close();
      rmSync(big.dataDir, { recursive: true, force: true });
    });

    it("exports every record once, in the API's order", async () => {
      const r = await runParleyCli(["cdr", "export"], big.dataDir);
      assert.equal(r.code, 0, r.stderr);
      const res = await big.app.inject({ method: "GET", url: "/api/v1/cdrs.csv", headers: auth });
      assert.ok(r.stdout.length > 128 * 1024);
      assert.equal(r.stdout, res.body);
      assert.equal(r.stdout.split("\r\n").length, 1202);
    });
  });
});
