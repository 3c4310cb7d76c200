/**
 * The two dry runs agree: `parley route <caller> <number> --json` (CLI, a child process) and
 * POST /api/v1/dialplan/test (REST API, inject()) over the same SQLite store give the same answer
 * for the same caller and number, for every kind of route and caller, and both refuse an unknown
 * caller with the same message (exit 1 / 404). Both ask src/routing/routing-service.ts.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { auth, type Harness, startHarness } from "../api/fixtures.js";

const MAIN = resolve(import.meta.dirname, "../../src/cli/main.ts");

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

describe("dry run: parley route and POST /api/v1/dialplan/test", () => {
  let h: Harness;

  function parley(...args: string[]): Promise<CliResult> {
    const inherited = Object.entries(process.env).filter(([k]) => !k.startsWith("PARLEY_"));
    return new Promise((done, fail) => {
      execFile(
        process.execPath,
        ["--import", "tsx", MAIN, ...args, "--data-dir", h.dir],
        { env: Object.fromEntries(inherited), timeout: 60_000 },
        (error, stdout, stderr) => {
          if (error && typeof error.code !== "number") fail(error);
          else done({ code: error ? Number(error.code) : 0, stdout, stderr });
        },
      );
    });
  }

  const api = (caller: string, number: string, origin: string) =>
    h.app.inject({
      method: "POST",
      url: "/api/v1/dialplan/test",
      headers: auth,
      payload: { caller, number, origin },
    });

  before(async () => {
    h = await startHarness();
    const d = (await h.store.domains.getDefault()).id;
    const r = h.store.routing;
    await h.store.users.create(d, { name: "100", password: "100" });
    await h.store.users.create(d, { name: "200", password: "200", callRight: 3 });
    await r.create(d, "dialplan", { name: "inbound", users: [] });
    await r.create(d, "transition", { id: 1, type: "insert", start: 0, length: 0, text: "00" });
    await r.create(d, "line", { account: "1234", server: "127.0.0.1", outgoingGroupId: 1 });
    await r.create(d, "line", { account: "5678", server: "127.0.0.1", dialPlan: "inbound" });
    await r.create(d, "trunk", { trunkId: "office2", address: "127.0.0.1", port: 5070 });
    await r.create(d, "refine", { outgoingGroupId: 1, prefix: "0", transitionId: 1 });
    await r.create(d, "analyze", { prefix: "2", routeType: "sip-trunk", sipTrunk: "office2" });
    await r.create(d, "analyze", { prefix: "66", routeType: "reject", rejectStatus: 603 });
    await r.create(d, "analyze", {
      prefix: "8",
      routeType: "external-line",
      externalLine: "1234",
      callRight: 2,
    });
    await r.create(d, "analyze", { dialPlan: "inbound", prefix: "", routeType: "reject", rejectStatus: 404 });
    await r.create(d, "analyze", { dialPlan: "inbound", prefix: "100", routeType: "local-user" });
  });
  after(() => h.close());

  const cases: Array<[string, string, string, string]> = [
    ["a user through the out-group prefix and a refine record", "user", "100", "9012345"],
    ["a user to a SIP trunk", "user", "100", "201"],
    ["a user to a local user", "user", "100", "101"],
    ["a reject record", "user", "100", "6601"],
    ["a call right too low", "user", "100", "8123"],
    ["a call right high enough", "user", "200", "8123"],
    ["a call in on a line, in its own dial plan", "line", "5678", "100"],
    ["a call in on a line refused by its dial plan", "line", "5678", "101"],
    ["a call in on a trunk", "trunk", "office2", "9012345"],
  ];
  for (const [what, origin, caller, number] of cases) {
    it(`the same answer: ${what}`, async () => {
      const [cli, web] = await Promise.all([
        parley("route", caller, number, "--origin", origin, "--json"),
        api(caller, number, origin),
      ]);
      assert.equal(cli.code, 0, cli.stderr);
      assert.equal(web.statusCode, 200, web.body);
      assert.deepEqual(JSON.parse(cli.stdout), web.json());
    });
  }

  it("an unknown caller: the CLI exits 1 and the API answers 404, with the same message", async () => {
    for (const [origin, caller, message] of [
      ["user", "999", 'user "999" not found'],
      ["line", "nope", 'external line "nope" not found'],
      ["trunk", "nope", 'SIP trunk "nope" not found'],
    ] as const) {
      const [cli, web] = await Promise.all([
        parley("route", caller, "1", "--origin", origin, "--json"),
        api(caller, "1", origin),
      ]);
      assert.equal(cli.code, 1);
      assert.equal(cli.stderr, `parley: ${message}\n`);
      assert.equal(web.statusCode, 404);
      assert.equal(web.json().message, message);
    }
  });
});
