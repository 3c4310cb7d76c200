/**
 * Issue 21 (virtual PBXs), the CLI: `parley tenants ...` and the global `--tenant` run as child
 * processes (the build, bin/parley.js) against a real `parley start` (dist/) on 127.0.0.1. Proven:
 * create with its own UDP port, limits and preset users from a CSV file prints the tenant's API
 * token; list and show; a refused create prints the API's message and each field, exit 1; suspend
 * (its phones get 403 on its own port) and resume; update changes only the limits named; `--tenant
 * acme` (before or after the command) sees only acme's registrations, the provider's list not
 * them; --tenant on a store command or the tenants commands is refused (exit 2); a new token stops
 * the old one; delete takes two steps, the first printing the command that finishes it.
 * Not here: the routes' own rules (test/api/tenant-*.test.ts), SIP routing by domain on the shared
 * ports (test/e2e).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type CliResult, parleyCli } from "../helpers/parley-cli.js";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { freePort } from "../helpers/ports.js";
import { SipUdpClient } from "../helpers/sip-udp-client.js";

describe("parley tenants and --tenant (issue 21, CLI)", () => {
  let parley: ParleyProcess;
  let work: string;
  let acmePort: number;
  let acmeToken: string;
  let url: string;
  /** `parley <args>` with the provider's token, or the one given. */
  const cli = (args: string[], token = parley.apiToken): Promise<CliResult> =>
    parleyCli(parley.dataDir, [...args, "--url", url, "--token", token]);
  const ok = async (args: string[], token?: string): Promise<string> => {
    const r = await cli(args, token);
    assert.equal(r.code, 0, `parley ${args.join(" ")}\n${r.stderr}`);
    return r.stdout;
  };
  const register = async (port: number, user: string, password: string, expires?: number) => {
    const phone = await SipUdpClient.open(port);
    try {
      return (await phone.register({ user, password, ...(expires === undefined ? {} : { expires }) })).status;
    } finally {
      phone.close();
    }
  };

  before(async () => {
    parley = await startParley();
    url = `http://127.0.0.1:${parley.httpPort}`;
    work = mkdtempSync(join(tmpdir(), "parley-cli-tenants-"));
    acmePort = await freePort();
  });
  after(async () => {
    await parley?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("tenants create prints the tenant and its API token, once; preset users come from the CSV", async () => {
    const csv = join(work, "users.csv");
    writeFileSync(
      csv,
      "name,password,displayName\n200,acme-pass-200,Alice, Sales\n\n# a comment\n201,acme-pass-201\n",
    );
    const out = await ok([
      "tenants",
      "create",
      "acme",
      "--domain",
      "acme.test",
      "--udp-port",
      String(acmePort),
      "--max-users",
      "5",
      "--max-calls",
      "4",
      "--admin-password",
      "acme-admin-password",
      "--users-csv",
      csv,
    ]);
    assert.match(out, /^name +acme$/m);
    assert.match(out, new RegExp(`^ports +udp ${acmePort}$`, "m"));
    assert.match(out, /^limits +users 5, calls 4$/m);
    assert.match(out, /^users +2$/m);
    acmeToken = /^api token +(pt\.acme\.\S+)$/m.exec(out)?.[1] ?? "";
    assert.ok(acmeToken, out);
    await ok([
      "tenants",
      "create",
      "globex",
      "--domain",
      "globex.test",
      "--admin-password",
      "globex-admin-pw",
    ]);
    const shown = JSON.parse(await ok(["tenants", "show", "acme", "--json"]));
    assert.equal(shown.realm, "acme.test");
    assert.deepEqual(shown.ports, { udp: acmePort });
    assert.equal(shown.totals.users, 2);
    const users = await fetch(`${url}/api/v1/users`, { headers: { authorization: `Bearer ${acmeToken}` } });
    const names = ((await users.json()) as { items: Array<{ name: string; displayName: string }> }).items;
    assert.deepEqual(
      names.map((u) => [u.name, u.displayName]),
      [
        ["200", "Alice, Sales"],
        ["201", ""],
      ],
    );
  });

  it("tenants list shows each tenant's domain, state, ports, limits and totals", async () => {
    const out = await ok(["tenants", "list"]);
    assert.match(out, /^NAME +DOMAIN +STATE +PORTS +LIMITS +USERS +REGISTERED +CALLS$/m);
    assert.match(
      out,
      new RegExp(`^acme +acme\\.test +active +udp ${acmePort} +users 5, calls 4 +2 +0 +0$`, "m"),
    );
    assert.match(out, /^globex +globex\.test +active +shared only +unlimited +0 +0 +0$/m);
    assert.match(out, /^2 tenants$/m);
  });

  it("a refused create prints the API's message and each field it names, exit 1", async () => {
    const r = await cli(["tenants", "create", "Bad_Name", "--domain", "x.test", "--admin-password", "short"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /answered 400/);
    assert.match(r.stderr, /^parley: name: must match pattern/m);
    assert.match(r.stderr, /^parley: admin\.password: must NOT have fewer than 8 characters$/m);
    const taken = await cli([
      "tenants",
      "create",
      "initech",
      "--domain",
      "initech.test",
      "--udp-port",
      String(acmePort),
      "--admin-password",
      "initech-admin-pw",
    ]);
    assert.equal(taken.code, 1);
    assert.match(taken.stderr, /^parley: ports\.udp: port \d+ is already Parley's$/m);
  });

  it("--tenant acme, before or after the command, sees only acme's registrations", async () => {
    assert.equal(await register(acmePort, "200", "acme-pass-200"), 200);
    assert.equal(await register(parley.sipPort, "100", "100"), 200);
    for (const args of [
      ["--tenant", "acme", "registrations", "list"],
      ["registrations", "list", "--tenant", "acme"],
    ]) {
      const out = await ok(args);
      assert.match(out, /^200 +udp /m, out);
      assert.doesNotMatch(out, /^100 /m, out);
      assert.match(out, /^1 binding$/m);
    }
    const provider = await ok(["registrations", "list"]);
    assert.match(provider, /^100 +udp /m);
    assert.doesNotMatch(provider, /^200 /m);
    assert.match(await ok(["tenants", "list"]), /^acme .* 2 +1 +0$/m);
    const unknown = await cli(["--tenant", "nope", "status"]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /parley: no tenant nope/);
  });

  it("--tenant is refused by a command that works on the store, and by the tenants commands", async () => {
    const store = await parleyCli(parley.dataDir, ["--tenant", "acme", "user", "list"]);
    assert.equal(store.code, 2);
    assert.match(
      store.stderr,
      /--tenant applies to the commands that ask a running server, not to "parley user list"/,
    );
    const provider = await cli(["tenants", "list", "--tenant", "acme"]);
    assert.equal(provider.code, 2);
    assert.match(provider.stderr, /the tenants commands are the provider's: give no --tenant/);
    const bad = await cli(["--tenant", "Not A Name", "status"]);
    assert.equal(bad.code, 2);
  });

  it("tenants suspend refuses its phones (403) and resume lets them in again", async () => {
    assert.match(await ok(["tenants", "suspend", "acme"]), /^tenant acme is suspended$/m);
    assert.match(await ok(["tenants", "list"]), /^acme +acme\.test +suspended /m);
    assert.equal(await register(acmePort, "201", "acme-pass-201"), 403);
    assert.match(await ok(["tenants", "resume", "acme"]), /^tenant acme is active$/m);
    assert.equal(await register(acmePort, "201", "acme-pass-201"), 200);
  });

  it("tenants update changes the limits named and keeps the others", async () => {
    const out = await ok(["tenants", "update", "acme", "--max-users", "2", "--max-lines", "1"]);
    assert.match(out, /^limits +users 2, calls 4, lines 1$/m);
    const res = await fetch(`${url}/api/v1/users`, {
      method: "POST",
      headers: { authorization: `Bearer ${acmeToken}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "202", password: "acme-pass-202" }),
    });
    assert.equal(res.status, 409, "the new limit of 2 users holds");
    const unlimited = await ok(["tenants", "update", "acme", "--max-calls", "unlimited", "--json"]);
    assert.deepEqual(JSON.parse(unlimited).limits, { users: 2, lines: 1 });
    const none = await cli(["tenants", "update", "acme"]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /give --domain, a port/);
  });

  it("tenants token prints a new token; the old one stops working", async () => {
    const fresh = (await ok(["tenants", "token", "acme"])).trim();
    assert.match(fresh, /^pt\.acme\.\S+$/);
    assert.notEqual(fresh, acmeToken);
    const old = await cli(["status"], acmeToken);
    assert.equal(old.code, 1);
    assert.match(old.stderr, /refused the API token/);
    assert.match(await ok(["registrations", "list"], fresh), /^200 +udp /m);
    const asTenant = await cli(["tenants", "list"], fresh);
    assert.equal(asTenant.code, 2);
    assert.match(asTenant.stderr, /take the provider's API token, not tenant acme's/);
  });

  it("tenants delete takes two steps: the first prints the command that finishes it", async () => {
    const first = await ok(["tenants", "delete", "acme"]);
    assert.match(first, /nothing is deleted yet/);
    const command = /^ {2}parley (tenants delete acme --confirm [0-9a-f]+)$/m.exec(first)?.[1];
    assert.ok(command, first);
    assert.match(await ok(["tenants", "list"]), /^acme /m, "still there after the first step");
    const wrong = await cli(["tenants", "delete", "acme", "--confirm", "not-the-code"]);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /^parley: confirm: is not the code/m);
    const done = await ok(command.split(" "));
    assert.match(done, /^tenant acme deleted; its call records are kept until \d{4}-/m);
    // Listed as deleted (no users left) until its call records are purged.
    const list = await ok(["tenants", "list"]);
    assert.match(list, /^acme +acme\.test +deleted +.* 0 +0 +0$/m);
    assert.match(list, /^globex +globex\.test +active /m);
    assert.equal(await register(acmePort, "200", "acme-pass-200").catch(() => 0), 0, "its port is closed");
    const again = await cli(["tenants", "suspend", "acme"]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /no tenant acme/);
  });
});
