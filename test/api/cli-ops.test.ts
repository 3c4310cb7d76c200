/**
 * `parley calls [hangup]`, `parley registrations [remove]`, `parley bans [lift]` and `parley status`
 * run as child processes against a real API on 127.0.0.1 over in-memory views (issue 23: the CLI
 * covers what the API covers for day-to-day work). Proven for each: the text table, --json as the
 * API's payload, a filter, a bad option named with exit 2, and the action through the API (the
 * view sees the hang-up, the removal, the lifted ban; an unknown id exits 1 with the API's message).
 * For all of them: no server answering and a refused token exit 1; the server and token found from
 * the settings. Not covered here: a real call engine behind the API (test/e2e and test/api/views).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { runParleyCli } from "../helpers/parley-cli.js";
import { freePorts } from "../helpers/ports.js";
import { type Harness, NOW, startHarness, TOKEN } from "./fixtures.js";

describe("parley calls, registrations, bans and status (CLI)", () => {
  let h: Harness;
  let dataDir: string;
  let url: string;
  let port: number;
  const cli = (...args: string[]) => runParleyCli([...args, "--url", url, "--token", TOKEN], dataDir);

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "parley-cli-ops-"));
    h = await startHarness();
    await h.app.listen({ port: 0, host: "127.0.0.1" });
    const address = h.app.server.address();
    assert.ok(address && typeof address === "object");
    port = address.port;
    url = `http://127.0.0.1:${port}`;
    const domainId = (await h.store.domains.getDefault()).id;
    // 100 talks to 101 for 75 s, relayed; 102 rings hunt group 200, no callee yet.
    h.calls.add({
      id: "call-1",
      domainId,
      caller: "100",
      dialed: "101",
      callee: "101",
      state: "answered",
      startedAt: NOW - 80_000,
      answeredAt: NOW - 75_000,
      legs: [
        { role: "caller", peer: "sip:100@192.0.2.10:5060", callId: "a@x", state: "answered" },
        { role: "callee", peer: "sip:101@192.0.2.11:5060", callId: "b@x", state: "answered" },
      ],
      media: { relayed: true, reason: "setting" },
    });
    h.calls.add({
      id: "call-2",
      domainId,
      caller: "102",
      dialed: "200",
      state: "ringing",
      startedAt: NOW - 5_000,
      legs: [{ role: "caller", peer: "sip:102@192.0.2.12:5060", callId: "c@x", state: "ringing" }],
    });
    const binding = { domainId, instanceId: undefined, q: undefined, path: [] };
    h.registrations.add({
      ...binding,
      id: "reg-a",
      user: "100",
      contact: "sip:100@192.0.2.10:5060",
      transport: "udp",
      sourceAddress: "192.0.2.10",
      sourcePort: 5060,
      expiresAt: NOW + 3_600_000,
      userAgent: "Yealink T46U",
    });
    h.registrations.add({
      ...binding,
      id: "reg-b",
      user: "101",
      contact: "sip:101@[2001:db8::5]:5070;transport=tcp",
      transport: "tcp",
      sourceAddress: "2001:db8::5",
      sourcePort: 5070,
      expiresAt: NOW + 120_000,
      userAgent: undefined,
    });
    for (let i = 0; i < 3; i++) h.bans.recordFailure("192.0.2.66", "100");
    for (let i = 0; i < 3; i++) h.bans.recordFailure("2001:db8::66", undefined);
  });
  after(async () => {
    await h.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  describe("parley calls", () => {
    it("lists the calls in progress as a table", async () => {
      const r = await cli("calls");
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.trimEnd().split("\n");
      assert.match(lines[0]!, /^ID\s+STATE\s+CALLER\s+DIALED\s+CALLEE\s+STARTED\s+TALK\s+MEDIA$/);
      assert.match(
        lines[1]!,
        /^call-1\s+answered\s+100\s+101\s+101\s+2027-01-15 07:58:40 UTC\s+1:15\s+relayed \(setting\)$/,
      );
      assert.match(lines[2]!, /^call-2\s+ringing\s+102\s+200\s+-\s+2027-01-15 07:59:55 UTC\s+-\s+direct$/);
      assert.equal(lines[3], "2 calls");
    });

    it("prints the API's payload with --json, and filters by --state and --number", async () => {
      const [json, ringing, number] = await Promise.all([
        cli("calls", "--json"),
        cli("calls", "list", "--state", "ringing", "--json"),
        cli("calls", "--number", "101"),
      ]);
      assert.equal(json.code, 0, json.stderr);
      const all = JSON.parse(json.stdout) as { items: Array<Record<string, unknown>> };
      assert.deepEqual(
        all.items.map((c) => [c.id, c.durationSeconds, c.answeredAt]),
        [
          ["call-1", 75, new Date(NOW - 75_000).toISOString()],
          ["call-2", 0, undefined],
        ],
      );
      assert.equal((all.items[0]?.legs as unknown[] | undefined)?.length, 2);
      assert.deepEqual(
        (JSON.parse(ringing.stdout) as { items: Array<{ id: string }> }).items.map((c) => c.id),
        ["call-2"],
      );
      assert.match(number.stdout, /^call-1\s/m);
      assert.doesNotMatch(number.stdout, /call-2/);
    });

    it("refuses a bad --state with exit 2, naming it", async () => {
      const r = await cli("calls", "--state", "talking");
      assert.equal(r.code, 2);
      assert.match(r.stderr, /--state must be ringing, answered or ending \(not "talking"\)/);
      assert.equal(r.stdout, "");
    });

    it("hangs a call up through DELETE /calls/{id}; an unknown one exits 1", async () => {
      const r = await cli("calls", "hangup", "call-2");
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, "call call-2 is being hung up\n");
      assert.deepEqual(h.calls.hungUp, ["call-2"]);
      const again = await cli("calls", "hangup", "call-2", "--json");
      assert.equal(again.code, 1);
      assert.match(again.stderr, /call "call-2" not found/);
    });
  });

  describe("parley registrations", () => {
    it("lists the bindings as a table, IPv6 sources in brackets", async () => {
      const r = await cli("registrations");
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.trimEnd().split("\n");
      assert.match(lines[0]!, /^USER\s+TRANSPORT\s+SOURCE\s+EXPIRES IN\s+USER AGENT\s+CONTACT\s+ID$/);
      assert.match(
        lines[1]!,
        /^100\s+udp\s+192\.0\.2\.10:5060\s+3600 s\s+Yealink T46U\s+sip:100@192\.0\.2\.10:5060\s+reg-a$/,
      );
      assert.match(lines[2]!, /^101\s+tcp\s+\[2001:db8::5\]:5070\s+120 s\s+-\s+sip:101@/);
      assert.equal(lines[3], "2 bindings");
    });

    it("filters by --user (the API's query) and --transport; --json is the API's payload", async () => {
      const [user, transport] = await Promise.all([
        cli("registrations", "--user", "101", "--json"),
        cli("registrations", "list", "--transport", "udp", "--json"),
      ]);
      assert.equal(user.code, 0, user.stderr);
      const items = (JSON.parse(user.stdout) as { items: Array<Record<string, unknown>> }).items;
      assert.deepEqual(items, [
        {
          id: "reg-b",
          domainId: items[0]?.domainId,
          user: "101",
          contact: "sip:101@[2001:db8::5]:5070;transport=tcp",
          transport: "tcp",
          sourceAddress: "2001:db8::5",
          sourcePort: 5070,
          expiresAt: new Date(NOW + 120_000).toISOString(),
          expiresIn: 120,
          path: [],
        },
      ]);
      assert.deepEqual(
        (JSON.parse(transport.stdout) as { items: Array<{ id: string }> }).items.map((r) => r.id),
        ["reg-a"],
      );
    });

    it("refuses a bad --transport with exit 2, naming it", async () => {
      const r = await cli("registrations", "--transport", "sctp");
      assert.equal(r.code, 2);
      assert.match(r.stderr, /--transport must be udp, tcp, tls, ws or wss \(not "sctp"\)/);
    });

    it("removes a binding; an unknown one exits 1", async () => {
      const r = await cli("registrations", "remove", "reg-b", "--json");
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(JSON.parse(r.stdout), { removed: "reg-b" });
      assert.equal(h.registrations.bindings.has("reg-b"), false);
      const again = await cli("registrations", "remove", "reg-b");
      assert.equal(again.code, 1);
      assert.match(again.stderr, /registration "reg-b" not found/);
    });
  });

  describe("parley bans", () => {
    it("lists the bans with wall-clock times and the time left", async () => {
      const r = await cli("bans");
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.trimEnd().split("\n");
      assert.match(lines[0]!, /^ADDRESS\s+SINCE\s+UNTIL\s+LEFT\s+FAILURES\s+REASON$/);
      // The ban list's clock read 1,000,000 at the bans, which the API maps to NOW; bans last 600 s.
      assert.match(
        lines[1]!,
        /^192\.0\.2\.66\s+2027-01-15 08:00:00 UTC\s+2027-01-15 08:10:00 UTC\s+10:00\s+3\s+3 failed authentications$/,
      );
      // An IPv6 source is banned by its /64 (issue 22).
      assert.match(lines[2]!, /^2001:db8::\/64\s/);
    });

    it("filters by --address, prints the API's payload with --json, refuses a bad address", async () => {
      const [json, bad] = await Promise.all([
        cli("bans", "--address", "2001:db8::66", "--json"),
        cli("bans", "--address", "not-an-ip"),
      ]);
      assert.equal(json.code, 0, json.stderr);
      assert.deepEqual(JSON.parse(json.stdout), {
        items: [
          {
            address: "2001:db8::/64",
            since: new Date(NOW).toISOString(),
            until: new Date(NOW + 600_000).toISOString(),
            expiresIn: 600,
            reason: "3 failed authentications",
            failures: 3,
          },
        ],
      });
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /--address must be an IP address \(not "not-an-ip"\)/);
    });

    it("lifts a ban (IPv6 too); a bad address exits 2, one not banned exits 1", async () => {
      const r = await cli("bans", "lift", "2001:db8::66");
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, "ban on 2001:db8::66 lifted\n");
      assert.equal(h.bans.isBanned("2001:db8::66"), false);
      assert.equal(h.bans.isBanned("192.0.2.66"), true);
      const [again, bad] = await Promise.all([
        cli("bans", "lift", "2001:db8::66"),
        cli("bans", "lift", "host"),
      ]);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /address "2001:db8::66" is not banned/);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /<address> must be an IP address/);
    });
  });

  describe("parley status", () => {
    it("shows version, start, uptime, listeners and counts in words", async () => {
      const r = await cli("status");
      assert.equal(r.code, 0, r.stderr);
      assert.equal(
        r.stdout,
        [
          "version        0.1.0",
          "started        2027-01-15 07:58:29 UTC",
          "uptime         1m 30s",
          "listening      udp 0.0.0.0:5060",
          "               tcp 0.0.0.0:5060",
          "users          0",
          "registrations  0",
          "bans           0",
          "",
        ].join("\n"),
      );
    });

    it("prints the API's payload with --json", async () => {
      const r = await cli("status", "--json");
      assert.equal(r.code, 0, r.stderr);
      const body = JSON.parse(r.stdout) as Record<string, unknown>;
      assert.equal(body.version, "0.1.0");
      assert.equal(body.uptimeSeconds, 90);
      assert.deepEqual(body.counts, { users: 0, registrations: 0, bans: 0 });
    });

    it("finds the server from the settings and the token in the data dir's token file", async () => {
      writeFileSync(join(dataDir, "api-token"), `${TOKEN}\n`);
      try {
        const r = await runParleyCli(["status", "--json"], dataDir, {
          PARLEY_HTTP_PORT: String(port),
          PARLEY_HTTP_BIND: "0.0.0.0",
        });
        assert.equal(r.code, 0, r.stderr);
        assert.equal((JSON.parse(r.stdout) as { version: string }).version, "0.1.0");
      } finally {
        rmSync(join(dataDir, "api-token"));
      }
    });
  });

  describe("reaching the server", () => {
    it("exits 2 naming --url when it is not an http URL", async () => {
      const r = await runParleyCli(["status", "--url", "ftp://127.0.0.1", "--token", TOKEN], dataDir);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /--url must be an http:\/\/ or https:\/\/ URL/);
    });

    it("exits 1 for every command when no server answers", async () => {
      const [closed] = await freePorts(1);
      const target = ["--url", `http://127.0.0.1:${closed}`, "--token", TOKEN];
      const results = await Promise.all(
        [
          ["calls"],
          ["calls", "hangup", "call-1"],
          ["registrations"],
          ["bans"],
          ["bans", "lift", "192.0.2.66"],
          ["status"],
        ].map((args) => runParleyCli([...args, ...target], dataDir)),
      );
      for (const r of results) {
        assert.equal(r.code, 1, r.stderr);
        assert.match(r.stderr, /no Parley server answers at .*ECONNREFUSED.*is it running\?/);
      }
    });

    it("exits 1 when the server refuses the token", async () => {
      const r = await runParleyCli(
        ["registrations", "--url", url, "--token", "wrong-token-0123456789"],
        dataDir,
      );
      assert.equal(r.code, 1);
      assert.match(r.stderr, /refused the API token/);
    });
  });
});
