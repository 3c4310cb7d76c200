/**
 * End to end (issue 21 acceptance: "the same extension numbers, feature codes and prompts
 * coexist"): two tenants in one `parley start`, each dialling the same feature codes with baresip
 * phones on the shared port (told apart by domain).
 * - The echo test (`*43`) answers in both: each caller hears its own tone back (a 440 Hz, b 600).
 * - Tenant a's administrator replaces the `prompt-test` prompt (what `*44` plays) with 2 s of
 *   700 Hz through a's API: a's 100 hears 700 Hz for 2 s, b's 100 hears the shipped prompt, at its
 *   length; the API and the data dir show the upload in a only.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { SHIPPED_PROMPTS_DIR } from "../../src/media/prompts/prompt-library.js";
import { toneShare, wavSamples } from "../helpers/audio-measure.js";
import { type BaresipPhone, toneWav } from "../helpers/baresip-phone.js";
import { describeHeard, heard, heardBeforeEnd, receivedDumps } from "../helpers/phone-audio.js";
import { missingTool } from "../helpers/run-tool.js";
import { type TenantHandle, toneFiles, useTenantBaresip, useTwoTenants } from "../helpers/tenants.js";

const skip = missingTool("baresip") || missingTool("sox");
const TONE: Record<string, number> = { a: 440, b: 600 };

describe("the same feature codes and prompts in two tenants (issue 21)", { skip }, () => {
  const env = useTwoTenants(["--rtp-ports", "43400-43599"]);
  const baresip = useTenantBaresip(env, "services", 45000);

  before(async () => {
    await toneFiles(baresip.work, [...Object.values(TONE), 700], 30);
  });

  /** A registered phone of the tenant's 100 on the shared port, sending the tenant's tone. */
  const phone = (t: TenantHandle): Promise<BaresipPhone> => baresip.phone(t, "100", { hz: TONE[t.name]! });

  /** The phone dials `code` at its tenant's domain; resolves once Parley has answered. */
  async function dial(p: BaresipPhone, t: TenantHandle, code: string): Promise<void> {
    p.command("dial", `sip:${code}@${t.domain}`);
    assert.ok(
      await p.waitForEvent("CALL_ESTABLISHED", 10_000),
      `${t.name}: ${code} answered\n${p.output()}\n${env.parley.output().slice(-2000)}`,
    );
  }

  it("the echo test (*43) answers in both tenants: each caller hears its own tone back", {
    timeout: 60_000,
  }, async (t) => {
    const phones = await Promise.all([env.a, env.b].map((x) => phone(x)));
    await Promise.all([env.a, env.b].map((x, i) => dial(phones[i]!, x, "*43")));
    // The announcement and the beep, then the echo: 7 s of call on purpose.
    await new Promise((r) => setTimeout(r, 7000));
    for (const p of phones) p.command("hangup");
    await Promise.all(phones.map((p) => p.waitForEvent("CALL_CLOSED", 5000)));
    for (const [i, x] of [env.a, env.b].entries()) {
      const w = heardBeforeEnd(phones[i]!, 2.5, 0.5, Object.values(TONE));
      t.diagnostic(`${x.name}'s 100 heard at the end: ${describeHeard(w)}`);
      // Through G.711 twice and the echo's jitter: most of the power, none of the other tenant's.
      const other = env.other(x).name;
      assert.ok(
        w.shares[TONE[x.name]!]! > 0.6,
        `${x.name} hears its own ${TONE[x.name]} Hz: ${describeHeard(w)}`,
      );
      assert.ok(
        w.shares[TONE[other]!]! < 0.05,
        `${x.name} hears nothing of ${other}'s call: ${describeHeard(w)}`,
      );
    }
    for (const x of [env.a, env.b]) {
      const cdrs = await x.api("GET", "/api/v1/cdrs?limit=5");
      assert.deepEqual(
        cdrs.body.items.map((c: { caller: string; dialed: string }) => `${c.caller}->${c.dialed}`),
        ["100->*43"],
        `${x.name}'s CDRs: its own echo test only`,
      );
    }
  });

  it("a prompt uploaded through a's API plays in a only; b keeps the shipped prompt", {
    timeout: 60_000,
  }, async (t) => {
    const { a, b, parley } = env;
    await toneWav(join(baresip.work, "prompt-700.wav"), 700, 2);
    const put = await a.api(
      "PUT",
      "/api/v1/prompts/en/prompt-test",
      readFileSync(join(baresip.work, "prompt-700.wav")),
    );
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.equal(put.body.durationMs, 2000);

    // The API: replaced in a, not in b nor in the provider's own PBX.
    const replaced = async (x: { api: TenantHandle["api"] }) =>
      (await x.api("GET", "/api/v1/prompts?lang=en")).body.items.find(
        (p: { name: string }) => p.name === "prompt-test",
      );
    assert.equal((await replaced(a)).replaced, true);
    assert.equal((await replaced(b)).replaced, false);
    const provider = { api: (m: string, path: string) => env.provider(m, path) };
    assert.equal((await replaced(provider)).replaced, false);
    const shippedSeconds = wavSamples(join(SHIPPED_PROMPTS_DIR, "en", "prompt-test.wav")).length / 8000;
    assert.equal((await replaced(b)).durationMs, Math.round(shippedSeconds * 1000));
    // b's administrator cannot restore what a uploaded: it has nothing replaced (404).
    assert.equal((await b.api("DELETE", "/api/v1/prompts/en/prompt-test")).status, 404);
    // On disk: in a's folder only.
    assert.ok(existsSync(join(parley.dataDir, "tenants", "a", "prompts", "en", "prompt-test.wav")));
    assert.ok(!existsSync(join(parley.dataDir, "tenants", "b", "prompts", "en", "prompt-test.wav")));
    assert.ok(!existsSync(join(parley.dataDir, "prompts", "en", "prompt-test.wav")));

    // What each tenant's 100 hears on *44: the prompt, then Parley hangs up.
    const phones = await Promise.all([a, b].map((x) => phone(x)));
    await Promise.all([a, b].map((x, i) => dial(phones[i]!, x, "*44")));
    for (const p of phones)
      assert.ok(await p.waitForEvent("CALL_CLOSED", 15_000), `Parley hangs up\n${p.output()}`);
    await Promise.all(phones.map((p) => p.stop()));
    const [aHeard, bHeard] = phones.map((p) => wavSamples(receivedDumps(p)[0]!));
    const seconds = (pcm: Int16Array) => pcm.length / 8000;
    t.diagnostic(
      `a heard ${seconds(aHeard!).toFixed(2)} s, b ${seconds(bHeard!).toFixed(2)} s (shipped ${shippedSeconds.toFixed(2)} s)`,
    );
    const aw = heard(phones[0]!, 0.3, 1.7, [700]);
    t.diagnostic(`a: ${describeHeard(aw)}`);
    assert.ok(aw.shares[700]! > 0.8, `a hears its uploaded 700 Hz: ${describeHeard(aw)}`);
    assert.ok(Math.abs(seconds(aHeard!) - 2.3) < 0.8, `a's call lasts the upload: ${seconds(aHeard!)} s`);
    const bShare = toneShare(bHeard!, 700);
    const bw = heard(phones[1]!, 0, seconds(bHeard!), [700]);
    t.diagnostic(`b: ${describeHeard(bw)}`);
    assert.ok(bShare < 0.2 && bw.rms > 0.01, `b hears the shipped prompt, not a's: ${describeHeard(bw)}`);
    assert.ok(
      Math.abs(seconds(bHeard!) - (shippedSeconds + 0.3)) < 0.8,
      `b's call lasts the shipped prompt: ${seconds(bHeard!)} s`,
    );
    assert.ok(
      !existsSync(join(parley.dataDir, "tenants", "b", "prompts", "en", "prompt-test.wav")),
      "nothing was written to b",
    );
  });
});
