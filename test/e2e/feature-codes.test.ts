/**
 * End to end (issue 15: "Feature codes: a table (code pattern, service, enabled), analysed before
 * the dial plan ... API, CLI and web UI") with sipp against a real `parley start`: a code moved
 * with `parley feature-codes set` before the start is the one the server lists and answers to
 * (the CLI's change applied at the start), the old code then reaches the dial plan (404, no such
 * user); a feature turned off through the API answers no more, at once, and answers again once its
 * default is restored. The feature dialled is do-not-disturb, whose effect the API shows. What
 * the page and the CLI print is proven in test/web/feature-codes.test.ts and
 * test/api/cli-feature-codes.test.ts.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { missingTool } from "../helpers/run-tool.js";
import { passed, uac } from "../helpers/sipp-phones.js";

const BIN = new URL("../../bin/parley.js", import.meta.url).pathname;

/** `parley <args>` (the built command) on `dataDir`, with no PARLEY_* variables. */
function parleyCli(
  dataDir: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("PARLEY_")));
  return new Promise((done, fail) => {
    execFile(
      process.execPath,
      [BIN, ...args, "--data-dir", dataDir],
      { env, timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== "number") fail(error);
        else done({ code: error ? Number(error.code) : 0, stdout, stderr });
      },
    );
  });
}

describe("feature codes moved and turned off, dialled from a phone (sipp)", {
  skip: missingTool("sipp"),
}, () => {
  let dataDir: string;
  let parley: ParleyProcess;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "parley-e2e-fc-"));
    const moved = await parleyCli(dataDir, ["feature-codes", "set", "user-codes.dnd.on", "--code", "*178"]);
    assert.equal(moved.code, 0, moved.stderr);
    assert.match(moved.stderr, /a running server applies it at its next start/);
    parley = await startParley(["--rtp-ports", "31600-31649"], {}, { dataDir });
  });
  after(async () => {
    await parley?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const doNotDisturb = async (): Promise<boolean> => {
    const res = await parley.api("GET", "/api/v1/users/100");
    assert.equal(res.status, 200);
    return res.body.doNotDisturb;
  };
  // biome-ignore lint/suspicious/noExplicitAny: the API's JSON, checked by the assertions
  const feature = async (service: string): Promise<any> =>
    // biome-ignore lint/suspicious/noExplicitAny: as above
    (await parley.api("GET", "/api/v1/feature-codes")).body.items.find((f: any) => f.service === service);

  /** 100 dials `code`: Parley answers, speaks the confirmation and sends BYE. */
  async function answered(code: string): Promise<void> {
    passed(
      await uac(parley, "100", code, "call-uac-wait-bye.xml"),
      `100 dialled ${code} and got Parley's BYE`,
      parley,
    );
  }
  /** 100 dials `code`: no feature answers, the dial plan finds no such user. */
  async function notAFeature(code: string): Promise<void> {
    passed(await uac(parley, "100", code, "call-uac-404.xml"), `100 dialled ${code} and got 404`, parley);
  }

  it("the code moved with the CLI before the start is the one the server answers to", {
    timeout: 30000,
  }, async () => {
    const dnd = await feature("user-codes.dnd.on");
    assert.deepEqual([dnd.code, dnd.defaultCode, dnd.enabled], ["*178", "*78", true]);
    await notAFeature("*78");
    assert.equal(await doNotDisturb(), false);
    await answered("*178%23");
    assert.equal(await doNotDisturb(), true);
  });

  it("a feature turned off through the API answers no more, and again once restored", {
    timeout: 30000,
  }, async () => {
    const off = await parley.api("PATCH", "/api/v1/feature-codes/user-codes.dnd.off", { enabled: false });
    assert.equal(off.status, 200, JSON.stringify(off.body));
    await notAFeature("*79");
    assert.equal(await doNotDisturb(), true);

    const restored = await parley.api("DELETE", "/api/v1/feature-codes/user-codes.dnd.off");
    assert.equal(restored.status, 200, JSON.stringify(restored.body));
    assert.equal(restored.body.enabled, true);
    await answered("*79");
    assert.equal(await doNotDisturb(), false);
  });
});
