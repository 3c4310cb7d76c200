/**
 * `parley feature-codes list|set|reset` run as a child process over a SQLite store in a temp data
 * dir (issue 15: "Feature codes: a table (code pattern, service, enabled) ... API, CLI and web UI
 * ... for every new field, table and live state"; bad values get errors naming the field). Proven:
 * the list of every service's feature with the defaults the start-up settings give, a code moved,
 * a feature turned off and restored, each change stored where the server reads it, refusals that
 * name the field, the note that a running server applies the change at its next start. Not here:
 * a server applying the change at its start (test/e2e/feature-codes.test.ts).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { storeFromUrl } from "../../src/store/index.js";
import { runParleyCli } from "../helpers/parley-cli.js";

describe("parley feature-codes (CLI)", () => {
  let root: string;
  let dataDir: string;

  /** Runs `parley <args> --data-dir <dataDir>` with no PARLEY_* variables but `env`. */
  const parley = (args: string[], env: Record<string, string> = {}) => runParleyCli(args, dataDir, env);

  /** What the store keeps for the server to apply at its start. */
  async function stored(): Promise<unknown> {
    const store = await storeFromUrl(undefined, dataDir);
    try {
      return await store.systemSettings.get((await store.domains.getDefault()).id, "featureCodes");
    } finally {
      await store.close();
    }
  }

  // biome-ignore lint/suspicious/noExplicitAny: the command's JSON, checked by the assertions
  async function listed(args: string[] = [], env: Record<string, string> = {}): Promise<Map<string, any>> {
    const res = await parley(["feature-codes", "list", "--json", ...args], env);
    assert.equal(res.code, 0, res.stderr);
    // biome-ignore lint/suspicious/noExplicitAny: as above
    return new Map(JSON.parse(res.stdout).items.map((f: any) => [f.service, f]));
  }

  before(() => {
    root = mkdtempSync(join(tmpdir(), "parley-cli-fc-"));
    dataDir = join(root, "data");
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it("list shows every feature: code, default, on or off, how it is dialled, description", async () => {
    const res = await parley(["feature-codes", "list"]);
    assert.equal(res.code, 0, res.stderr);
    const lines = res.stdout.trim().split("\n");
    assert.match(lines[0]!, /^SERVICE\s+CODE\s+DEFAULT\s+ON\s+DIAL\s+DESCRIPTION$/);
    assert.ok(
      lines.some((l) => /^echo-test\s+\*43\s+\*43\s+on\s+\*43#\s+Echo test/.test(l)),
      res.stdout,
    );
    assert.ok(
      lines.some((l) =>
        /^user-codes\.forwarding\.unconditional\s+\*93\s+\*93\s+on\s+\*93\*<argument># \*93#\s+/.test(l),
      ),
      res.stdout,
    );
    const all = await listed();
    assert.deepEqual(
      [...all.keys()],
      [
        "call-recording",
        "calling-card",
        "conference",
        "echo-test",
        "multi-device.join",
        "operator.break-in",
        "operator.overstep",
        "park",
        "pick-up.directed",
        "pick-up.group",
        "prompt-test",
        "record-test",
        "user-codes.dnd.off",
        "user-codes.dnd.on",
        "user-codes.forwarding.busy",
        "user-codes.forwarding.noAnswer",
        "user-codes.forwarding.unconditional",
        "user-codes.forwarding.unreachable",
        "voicemail-access.any",
        "voicemail-access.own",
      ],
    );
    assert.deepEqual(all.get("voicemail-access.any").dial, ["*98#", "*98<argument>#"]);
  });

  it("the defaults follow the start-up settings (environment, config file; an empty code is off)", async () => {
    const config = join(root, "parley.json");
    writeFileSync(config, JSON.stringify({ recordTestCode: "" }));
    const all = await listed(["--config", config], { PARLEY_ECHO_TEST_CODE: "*143" });
    const state = (service: string) => {
      const { code, defaultCode, enabled } = all.get(service);
      return { code, defaultCode, enabled };
    };
    assert.deepEqual(state("echo-test"), { code: "*143", defaultCode: "*143", enabled: true });
    assert.deepEqual(state("record-test"), { code: "", defaultCode: "", enabled: false });
  });

  it("set --code moves a code, stores it for the server and says a running server applies it at its next start", async () => {
    const res = await parley(["feature-codes", "set", "echo-test", "--code", "*143"]);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /^code\s+\*143$/m);
    assert.match(res.stdout, /^default\s+\*43$/m);
    assert.match(res.stdout, /^dial\s+\*143#$/m);
    assert.match(res.stderr, /a running server applies it at its next start/);
    assert.equal((await listed()).get("echo-test").code, "*143");
    assert.deepEqual(await stored(), { "echo-test": { code: "*143", enabled: true } });
  });

  it("set --enabled false turns a feature off; reset restores the default and forgets the change", async () => {
    const off = await parley(["feature-codes", "set", "user-codes.dnd.on", "--enabled", "false", "--json"]);
    assert.equal(off.code, 0, off.stderr);
    assert.equal(JSON.parse(off.stdout).enabled, false);
    assert.match(
      (await parley(["feature-codes", "list"])).stdout,
      /^user-codes\.dnd\.on\s+\*78\s+\*78\s+off\s/m,
    );
    // Off, its code is free for another feature.
    const moved = await parley(["feature-codes", "set", "prompt-test", "--code", "*78"]);
    assert.equal(moved.code, 0, moved.stderr);
    const none = await parley(["feature-codes", "set", "record-test", "--code", "", "--enabled", "false"]);
    assert.equal(none.code, 0, none.stderr);

    for (const service of ["user-codes.dnd.on", "prompt-test", "record-test", "echo-test"]) {
      const reset = await parley(["feature-codes", "reset", service]);
      assert.equal(reset.code, 0, reset.stderr);
      assert.match(reset.stderr, /next start/);
    }
    const all = await listed();
    assert.deepEqual(
      ["user-codes.dnd.on", "prompt-test", "record-test", "echo-test"].map((s) => [
        all.get(s).code,
        all.get(s).enabled,
      ]),
      [
        ["*78", true],
        ["*44", true],
        ["*45", true],
        ["*43", true],
      ],
    );
    assert.deepEqual(await stored(), {});
  });

  it("refuses bad input naming the field or the option; an unknown feature exits 1", async () => {
    const bad = await parley(["feature-codes", "set", "echo-test", "--code", "12a"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /invalid code: must be 1-16 of the keys 0-9, \* and #/);
    const clash = await parley(["feature-codes", "set", "echo-test", "--code", "*97"]);
    assert.equal(clash.code, 2);
    assert.match(clash.stderr, /invalid code: already used by voicemail-access.own/);
    const noCode = await parley(["feature-codes", "set", "echo-test", "--code", ""]);
    assert.equal(noCode.code, 2);
    assert.match(noCode.stderr, /invalid code: a feature that is on needs a code/);
    const enabled = await parley(["feature-codes", "set", "echo-test", "--enabled", "yes"]);
    assert.equal(enabled.code, 2);
    assert.match(enabled.stderr, /--enabled must be true or false/);
    const nothing = await parley(["feature-codes", "set", "echo-test"]);
    assert.equal(nothing.code, 2);
    assert.match(nothing.stderr, /give --code, --enabled or both/);
    const unknown = await parley(["feature-codes", "reset", "no-such-feature"]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /feature code "no-such-feature" not found/);
    assert.equal((await parley(["feature-codes", "set", "nope", "--enabled", "false"])).code, 1);
    assert.deepEqual(await stored(), {});
  });
});
