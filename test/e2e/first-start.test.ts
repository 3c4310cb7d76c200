/**
 * End to end (issue 23, "Secrets on first start"): a first `parley start` shows the generated
 * administrator password once, in a banner on stderr (whatever the log format), and never inside
 * a log line; the log says it was generated and where it was shown. A second start shows nothing.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";

describe("the first start's secrets", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "parley-first-"));
  let parley: ParleyProcess | undefined;
  after(async () => {
    await parley?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("are shown once in a banner on stderr, never in the log", { timeout: 30000 }, async () => {
    parley = await startParley([], {}, { dataDir });
    let password: string | undefined;
    for (let i = 0; i < 40 && password === undefined; i++) {
      password = /Web UI administrator password: (\S+)/.exec(parley.output())?.[1];
      if (password === undefined) await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(password, `a banner with the password:\n${parley.output().slice(0, 2000)}`);
    assert.match(parley.output(), /={20,}\n {2}Parley's first start: keep these now/);
    const lines = parley.logs.map((l) => JSON.stringify(l));
    assert.ok(lines.some((l) => l.includes("administrator password generated")));
    assert.ok(!lines.some((l) => l.includes(password)), "the password is in no log line");
    // Nothing else on stderr for a new user to wonder about (a library's deprecation notice).
    assert.doesNotMatch(parley.output(), /Deprecation|ExperimentalWarning/);
    await parley.stop();

    parley = await startParley([], {}, { dataDir });
    assert.doesNotMatch(parley.output(), /administrator password/);
  });
});
