/**
 * Covers the prompt set of issue 14: the catalogue (a prompt for every PBX service of FEATURES 6
 * and the words for numbers), the shipped files scripts/make-prompts.sh generated (one per
 * catalogue entry and language, 8 kHz mono mu-law, speech peaking near -3 dBFS, trimmed), the
 * music-on-hold loop (30-60 s, about -18 dBFS RMS, no seam), and PromptLibrary: shipped vs
 * replaced files, uploads converted and written atomically, names validated, change listeners.
 * Not covered: how the speech sounds (listen to prompts/ for that).
 */
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, beforeEach, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import wavefile from "wavefile";
import { inspectWav, readWav } from "../../src/media/audio/wav.js";
import { LANGUAGES, PROMPTS, type PromptName, promptText } from "../../src/media/prompts/catalogue.js";
import { PromptLibrary, SHIPPED_PROMPTS_DIR } from "../../src/media/prompts/prompt-library.js";

const { WaveFile } = wavefile;
const root = fileURLToPath(new URL("../../", import.meta.url));
const shipped = join(root, "prompts");
const entries = Object.entries(PROMPTS) as Array<[PromptName, Partial<Record<string, string>>]>;
const dbfs = (v: number) => 20 * Math.log10(v / 32768);

function rms(pcm: Int16Array, from = 0, to = pcm.length): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += pcm[i] * pcm[i];
  return Math.sqrt(sum / (to - from));
}

function pcmWav(seconds: number, rate = 16000): Uint8Array {
  const pcm = new Int16Array(rate * seconds);
  for (let i = 0; i < pcm.length; i++) pcm[i] = Math.round(6000 * Math.sin((2 * Math.PI * 440 * i) / rate));
  const wav = new WaveFile();
  wav.fromScratch(1, rate, "16", pcm);
  return wav.toBuffer();
}

describe("the prompt catalogue", () => {
  const required = [
    "welcome",
    "enter-extension",
    "invalid",
    "invalid-number",
    "goodbye",
    "please-hold",
    "transferring",
    "leave-message",
    "message-saved",
    "no-messages",
    "you-have",
    "new-message",
    "new-messages",
    "old-messages",
    "voicemail-menu",
    "message-deleted",
    "enter-password",
    "enter-pin",
    "login-incorrect",
    "number-not-exist",
    "busy",
    "not-available",
    "no-answer",
    "enter-card-number",
    "your-balance-is",
    "insufficient-balance",
    "enter-destination",
    "conference-pin",
    "conference-only-participant",
    "conference-joined",
    "conference-locked",
    "parked-at",
    "park-empty",
    "forwarding-on",
    "forwarding-off",
    "dnd-on",
    "dnd-off",
    "feature-on",
    "feature-off",
    "echo-test",
    "prompt-test",
    "call-cannot-be-completed",
    "all-circuits-busy",
    "restricted",
    "star",
    "pound",
    "word-hundred",
    "word-thousand",
    "word-million",
    "word-minus",
    "word-point",
    "word-and",
    "word-dollar",
    "word-dollars",
    "word-cent",
    "word-cents",
    "word-minute",
    "word-minutes",
    "word-second",
    "word-seconds",
    "word-ten-thousand",
    "word-hundred-million",
    "word-yuan",
    "word-jiao",
    "word-fen",
    "word-liang",
    "word-tiao",
  ];
  for (let d = 0; d <= 9; d++) required.push(`digit-${d}`);
  for (let n = 10; n <= 19; n++) required.push(`number-${n}`);
  for (let n = 20; n <= 90; n += 10) required.push(`number-${n}`);

  it("has every prompt the services and say.ts need", () => {
    const missing = required.filter((name) => !(name in PROMPTS));
    assert.deepEqual(missing, []);
  });
  it("names prompts in kebab-case and gives each a text in at least one language", () => {
    for (const [name, texts] of entries) {
      assert.match(name, /^[a-z0-9]+(-[a-z0-9]+)*$/);
      assert.ok(
        LANGUAGES.some((l) => texts[l]),
        `${name} has no text`,
      );
    }
  });
  it("has every prompt in both languages but the words of one language's grammar", () => {
    const oneLanguage = entries.filter(([, texts]) => !LANGUAGES.every((l) => texts[l])).map(([n]) => n);
    assert.deepEqual(oneLanguage.sort(), [
      "new-messages",
      "number-11",
      "number-12",
      "number-13",
      "number-14",
      "number-15",
      "number-16",
      "number-17",
      "number-18",
      "number-19",
      "number-20",
      "number-30",
      "number-40",
      "number-50",
      "number-60",
      "number-70",
      "number-80",
      "number-90",
      "old-messages",
      "ordinal-1",
      "ordinal-10",
      "ordinal-11",
      "ordinal-12",
      "ordinal-13",
      "ordinal-14",
      "ordinal-15",
      "ordinal-16",
      "ordinal-17",
      "ordinal-18",
      "ordinal-19",
      "ordinal-2",
      "ordinal-20",
      "ordinal-3",
      "ordinal-30",
      "ordinal-4",
      "ordinal-5",
      "ordinal-6",
      "ordinal-7",
      "ordinal-8",
      "ordinal-9",
      "word-and",
      "word-at",
      "word-cents",
      "word-dollars",
      "word-evening",
      "word-hundred-million",
      "word-jiao",
      "word-liang",
      "word-messages",
      "word-million",
      "word-minutes",
      "word-nian",
      "word-noon",
      "word-oh",
      "word-ri",
      "word-seconds",
      "word-small-hours",
      "word-ten-thousand",
      "word-tiao",
      "word-yao",
    ]);
  });
});

describe("the shipped prompts", () => {
  it("are one 8 kHz mono mu-law WAV per catalogue entry and language, and nothing else", () => {
    for (const lang of LANGUAGES) {
      const expected = entries.filter(([, t]) => t[lang]).map(([n]) => `${n}.wav`);
      assert.deepEqual(readdirSync(join(shipped, lang)).sort(), expected.sort(), `prompts/${lang}`);
      for (const file of expected) {
        const info = inspectWav(readFileSync(join(shipped, lang, file)));
        assert.ok(info.ok, file);
        assert.deepEqual([info.formatTag, info.sampleRate, info.channels], [7, 8000, 1], file);
        assert.ok(
          info.durationMs >= 150 && info.durationMs < 12_000,
          `${lang}/${file}: ${info.durationMs} ms`,
        );
      }
    }
  });
  it("peak near -3 dBFS, start and end in silence", () => {
    for (const lang of LANGUAGES)
      for (const file of readdirSync(join(shipped, lang))) {
        const read = readWav(readFileSync(join(shipped, lang, file)));
        assert.ok(read.ok);
        const peak = read.pcm.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
        assert.ok(
          dbfs(peak) > -4.5 && dbfs(peak) < -2,
          `${lang}/${file}: peak ${dbfs(peak).toFixed(1)} dBFS`,
        );
        // 50 ms of padding at each end: the first and last 30 ms (240 samples) are quiet.
        const n = read.pcm.length;
        assert.ok(dbfs(rms(read.pcm, 0, 240)) < -45, `${lang}/${file} starts with sound`);
        assert.ok(dbfs(rms(read.pcm, n - 240, n)) < -45, `${lang}/${file} ends with sound`);
      }
  });
  it("include a 4-6.5 s playback test in each language", () => {
    for (const lang of LANGUAGES) {
      const info = inspectWav(readFileSync(join(shipped, lang, "prompt-test.wav")));
      assert.ok(
        info.ok && info.durationMs >= 4000 && info.durationMs <= 6500,
        `${lang}: ${JSON.stringify(info)}`,
      );
    }
  });
  // About 4.1 MB with the calling card's and call screening's prompts (issue 18): G.711 at 8 KB/s
  // is already as small as a phone plays; the bound catches a file in the wrong format (16-bit
  // PCM doubles it) or an unshortened recording.
  it("stay small (under 5 MB in all)", () => {
    let total = 0;
    for (const dir of ["en", "zh", "moh"])
      for (const f of readdirSync(join(shipped, dir))) total += statSync(join(shipped, dir, f)).size;
    assert.ok(total < 5 * 1024 * 1024, `${total} bytes`);
  });
});

describe("the shipped music on hold", () => {
  const read = readWav(readFileSync(join(shipped, "moh", "default.wav")));
  assert.ok(read.ok);
  const pcm = read.pcm;
  it("lasts 30 to 60 s at about -18 dBFS RMS", () => {
    assert.ok(read.durationMs >= 30_000 && read.durationMs <= 60_000, `${read.durationMs} ms`);
    assert.ok(Math.abs(dbfs(rms(pcm)) + 18) < 1.5, `${dbfs(rms(pcm)).toFixed(1)} dBFS`);
  });
  it("loops without a gap or a click", () => {
    const second = 8000;
    assert.ok(dbfs(rms(pcm, 0, second / 4)) > -30, "silent at the start");
    assert.ok(dbfs(rms(pcm, pcm.length - second / 4)) > -30, "silent at the end");
    let largestStep = 0;
    for (let i = 1; i < pcm.length; i++) largestStep = Math.max(largestStep, Math.abs(pcm[i] - pcm[i - 1]));
    assert.ok(
      Math.abs(pcm[0] - pcm[pcm.length - 1]) <= largestStep,
      "the seam jumps further than any step inside",
    );
  });
});

describe("PromptLibrary", () => {
  let dataDir = "";
  let lib: PromptLibrary;
  let changes: string[];
  const dirs: string[] = [];
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), "parley-prompts-"));
    dirs.push(dataDir);
    lib = new PromptLibrary({ dataDir });
    changes = [];
    lib.onChange((path) => changes.push(path));
  });
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it("finds the shipped prompts at the package root, three levels above the module", () => {
    assert.equal(SHIPPED_PROMPTS_DIR, join(root, "prompts"));
    // The built module, dist/media/prompts/prompt-library.js, is three levels down as well.
    assert.equal(
      fileURLToPath(new URL("../../../prompts", new URL("dist/media/prompts/x.js", `file://${root}`))),
      shipped,
    );
    assert.equal(lib.path("welcome", "en"), join(shipped, "en", "welcome.wav"));
    assert.equal(lib.path("word-and", "zh"), undefined);
    assert.equal(lib.path("no-such-prompt", "en"), undefined);
  });
  it("replace() converts an upload, then path() gives it and list() marks it replaced", () => {
    const saved = lib.replace("welcome", "zh", pcmWav(2));
    assert.deepEqual(saved, { ok: true, durationMs: 2000 });
    const file = join(dataDir, "prompts", "zh", "welcome.wav");
    assert.equal(lib.path("welcome", "zh"), file);
    assert.equal(lib.path("welcome", "en"), join(shipped, "en", "welcome.wav"));
    const info = inspectWav(readFileSync(file));
    assert.ok(info.ok && info.formatTag === 7 && info.sampleRate === 8000);
    assert.deepEqual(changes, [file]);
    const entry = lib.list("zh").find((e) => e.name === "welcome");
    assert.deepEqual(entry, {
      name: "welcome",
      lang: "zh",
      text: promptText("welcome", "zh"),
      replaced: true,
      durationMs: 2000,
    });
    assert.deepEqual(readdirSync(join(dataDir, "prompts", "zh")), ["welcome.wav"], "no temporary file left");
  });
  it("restore() removes the replacement and the shipped prompt plays again", () => {
    lib.replace("goodbye", "en", pcmWav(1));
    assert.equal(lib.restore("goodbye", "en"), true);
    assert.equal(lib.path("goodbye", "en"), join(shipped, "en", "goodbye.wav"));
    assert.equal(changes.length, 2);
    assert.equal(lib.restore("goodbye", "en"), false);
  });
  it("list() gives every prompt of a language with its text and shipped duration", () => {
    const en = lib.list("en");
    assert.equal(en.length, entries.filter(([, t]) => t.en).length);
    assert.ok(en.every((e) => e.lang === "en" && !e.replaced && e.durationMs > 0));
    assert.equal(lib.list().length, en.length + lib.list("zh").length);
  });
  it("replace() refuses bad names, languages and audio, naming the problem", () => {
    const wav = pcmWav(1);
    assert.deepEqual(lib.replace("../etc/passwd", "en", wav), {
      ok: false,
      error: 'unknown prompt "../etc/passwd"',
    });
    assert.deepEqual(lib.replace("welcome", "fr" as "en", wav), {
      ok: false,
      error: 'unknown prompt language "fr": Parley has en, zh',
    });
    assert.deepEqual(lib.replace("word-and", "zh", wav), {
      ok: false,
      error: 'prompt "word-and" has no zh version',
    });
    assert.deepEqual(lib.replace("welcome", "en", new Uint8Array(10)), {
      ok: false,
      error: "not a WAV file (no RIFF/WAVE header)",
    });
    assert.deepEqual(changes, []);
    assert.equal(lib.path("welcome", "en"), join(shipped, "en", "welcome.wav"));
  });
  it("music: the shipped default, uploads by name, an upload replacing the default", () => {
    assert.equal(lib.musicPath(), join(shipped, "moh", "default.wav"));
    assert.deepEqual(lib.addMusic("jazz-1", pcmWav(3, 8000)), { ok: true, durationMs: 3000 });
    assert.equal(lib.musicPath("jazz-1"), join(dataDir, "moh", "jazz-1.wav"));
    assert.deepEqual(lib.addMusic("default", pcmWav(1)), { ok: true, durationMs: 1000 });
    assert.deepEqual(
      lib.listMusic().map((m) => [m.name, m.shipped, m.durationMs]),
      [
        ["default", false, 1000],
        ["jazz-1", false, 3000],
      ],
    );
    assert.equal(lib.removeMusic("default"), true);
    assert.equal(lib.musicPath(), join(shipped, "moh", "default.wav"));
    assert.equal(lib.listMusic()[0].shipped, true);
    assert.equal(lib.removeMusic("default"), false, "the shipped track cannot be removed");
    assert.equal(lib.removeMusic("jazz-1"), true);
    assert.equal(lib.musicPath("jazz-1"), undefined);
    assert.equal(changes.length, 4);
  });
  it("music: refuses a bad name, naming it", () => {
    assert.deepEqual(lib.addMusic("Jazz/../x", pcmWav(1)), {
      ok: false,
      error: 'invalid music name "Jazz/../x": use 1-40 of a-z, 0-9 and -',
    });
    assert.equal(lib.musicPath("../x"), undefined);
    assert.equal(lib.removeMusic("../x"), false);
  });
  it("a listener that throws neither stops the save nor the other listeners", () => {
    const other = new PromptLibrary({ dataDir });
    const heard: string[] = [];
    other.onChange(() => {
      throw new Error("listener bug");
    });
    other.onChange((p) => heard.push(p));
    assert.equal(other.addMusic("calm", pcmWav(1)).ok, true);
    assert.deepEqual(heard, [join(dataDir, "moh", "calm.wav")]);
  });
  it("takes another shipped directory, where missing files are undefined", () => {
    const other = new PromptLibrary({ dataDir, shippedDir: join(dataDir, "nothing-here") });
    assert.equal(other.path("welcome", "en"), undefined);
    assert.equal(other.musicPath(), undefined);
    assert.deepEqual(other.listMusic(), []);
  });
});
