/**
 * The Lua `call` API of a service script (issue 18): what a script does with the call it serves.
 * Every function is plain sequential code for the script writer: `call.collect{max=4}` returns
 * the digits when they are in (the script's coroutine waits; script-runner.ts). Before an answer
 * the script decides (route, hangup, answer, rename the caller); after it, it plays, collects,
 * records and connects. The reference is README "Service scripts (Lua)".
 */
import { isAbsolute, join, normalize } from "node:path";
import type { OpResult, PlayItem } from "../../media/endpoint/endpoint-protocol.js";
import type { Speech } from "../../media/media-server.js";
import { isPromptName } from "../../media/prompts/catalogue.js";
import type { HostFunction } from "../../scripting/index.js";
import { sayDateTime } from "../voicemail/say-date.js";
import { wallClock } from "./host/time-api.js";
import type { ScriptCall } from "./script-call.js";

export interface CallApiDeps {
  /** `<dataDir>`: files a script plays or records stay inside it. */
  readonly dataDir: string;
  readonly now: () => number;
  /** What each play says, in words (`enter-pin`, `amount:1.5`): the log a user debugging a script reads. */
  readonly onPlay?: (said: string[]) => void;
  /** How each connect ended (the log shows when the callee answered). */
  readonly onConnect?: (number: string, status: number, anchored: boolean) => void;
}

const ANY_KEY = "0123456789*#";
const TONES = new Set(["dial", "ringback", "busy", "congestion", "confirmation", "callWaiting", "beep"]);

export function callApi(call: ScriptCall, deps: CallApiDeps): Record<string, HostFunction> {
  const { context, place } = call;
  const speech = (items: unknown) => toSpeech(items, deps.dataDir);
  const play = async (items: unknown, options: unknown): Promise<string | undefined> => {
    const parts = speech(items);
    if (call.state === "connected") {
      // Talking through an anchored connect: to the caller alone, its bridge paused meanwhile.
      if (!call.anchoredNow())
        throw new Error(
          "call.play: after a connect the media goes phone to phone (connect with anchor = true)",
        );
      deps.onPlay?.(parts.map(describe));
      await call.toCaller(parts);
      return "";
    }
    const session = call.media("play");
    const interrupt = interruptKeys(options);
    deps.onPlay?.(parts.map(describe));
    const op = session.endpoint.play(speechItems(call, parts), { interruptDigits: interrupt });
    return keyOf(await op);
  };
  return {
    info: () => ({
      caller: context.caller.user,
      caller_name: context.caller.displayName,
      called: context.dialed,
      callee: context.callee?.user,
      callee_name: context.callee?.displayName,
      point: place.point,
      argument: place.argument,
      script: place.script,
      call_id: call.id,
      failure_status: context.failure?.status,
      anonymous: context.anonymous === true,
      inbound: context.inbound?.kind,
      local_caller: context.callerUser !== undefined,
      state: call.state,
    }),
    set_caller_name: (name: unknown) => rename(call, "displayName", text(name, "set_caller_name", 100)),
    set_caller_number: (number: unknown) => rename(call, "user", digits(number, "set_caller_number")),
    route: (number: unknown, options: unknown) => {
      if (call.state !== "deciding")
        throw new Error("call.route: the script no longer decides where the call goes");
      const asUser = field(options, "as_user");
      call.settle({
        kind: "route",
        number: digits(number, "route"),
        ...(typeof asUser === "string" && asUser !== "" ? { asUser } : {}),
      });
      return true;
    },
    proceed: () => {
      call.settle(undefined);
      return true;
    },
    hangup: (cause: unknown) => {
      call.hangup(cause);
      return true;
    },
    answer: () => call.answer(),
    play,
    say_number: (n: unknown, options: unknown) => play({ number: num(n, "say_number") }, options),
    say_digits: (d: unknown, options: unknown) => play({ digits: String(d ?? "") }, options),
    say_amount: (a: unknown, options: unknown) => play({ amount: num(a, "say_amount") }, options),
    tone: (name: unknown, ms: unknown) => play({ tone: name, ms }, undefined),
    say_date: (epoch: unknown, zone: unknown, options: unknown) => {
      const at = num(epoch ?? deps.now() / 1000, "say_date") * 1000;
      const tz = typeof zone === "string" ? zone : Intl.DateTimeFormat().resolvedOptions().timeZone;
      const w = wallClock(at, tz);
      const local = {
        year: w.year,
        month: w.month,
        day: w.day,
        weekday: w.wday - 1,
        hour: w.hour,
        minute: w.min,
      };
      const thisYear = wallClock(deps.now(), tz).year;
      return play(sayDateTime(local, call.language, thisYear), options);
    },
    collect: async (options: unknown) => {
      const session = call.media("collect");
      const max = intIn(field(options, "max") ?? 1, 1, 64, "collect: max");
      const timeout = numIn(field(options, "timeout") ?? 5, 0.1, 300, "collect: timeout");
      const interDigit = numIn(field(options, "inter_digit") ?? timeout, 0.1, 300, "collect: inter_digit");
      const terminators = String(field(options, "terminators") ?? "#");
      const prompt = field(options, "prompt");
      if (prompt !== undefined) {
        const parts = speech(prompt);
        deps.onPlay?.(parts.map(describe));
        const said = await session.endpoint.play(speechItems(call, parts), { interruptDigits: ANY_KEY });
        if (said.reason === "hangup") return undefined;
      }
      const got = await session.endpoint.collect({
        max,
        terminators,
        firstDigitMs: timeout * 1000,
        interDigitMs: interDigit * 1000,
      });
      return got.reason === "hangup" ? undefined : (got.digits ?? "");
    },
    record: async (options: unknown) => {
      const session = call.media("record");
      const name = `${place.script}-${deps.now()}.wav`;
      const file = join(deps.dataDir, "recordings", "scripts", name);
      const maxSeconds = numIn(field(options, "max_seconds") ?? 60, 1, 3600, "record: max_seconds");
      const silence = numIn(field(options, "silence_seconds") ?? 0, 0, 60, "record: silence_seconds");
      if (field(options, "beep") !== false) {
        const beeped = await session.endpoint.play(speechItems(call, [{ tone: "beep" }]));
        if (beeped.reason === "hangup") return undefined;
      }
      const result = await session.endpoint.record({
        file,
        maxMs: maxSeconds * 1000,
        minMs: 500,
        silenceMs: silence * 1000,
        endDigits: String(field(options, "end_digits") ?? "#"),
      });
      if (result.reason === "hangup" && result.saved !== true) return undefined;
      return {
        file: join("recordings", "scripts", name),
        seconds: (result.durationMs ?? 0) / 1000,
        saved: result.saved === true,
      };
    },
    connect: async (number: unknown, options: unknown) => {
      const to = digits(number, "connect");
      const note = `script=${place.script}${field(options, "note") === undefined ? "" : `;${String(field(options, "note"))}`}`;
      const anchored = field(options, "anchor") === true;
      const result = anchored ? await call.connectAnchored(to) : await call.connect(to, note.slice(0, 200));
      deps.onConnect?.(to, result.status, anchored);
      return {
        status: result.status,
        reason: result.reason,
        answered: result.status >= 200 && result.status < 300,
      };
    },
    wait: (seconds: unknown) => call.wait(numIn(seconds ?? 1, 0, 86_400, "wait: seconds")),
    state: () => call.state,
  };
}

function rename(call: ScriptCall, key: "displayName" | "user", value: string): boolean {
  if (call.state !== "deciding" || call.context.rename === undefined)
    throw new Error("call.set_caller_*: only before the call is routed, at the 'attempted' point or a route");
  call.context.rename({ [key]: value });
  return true;
}

function speechItems(call: ScriptCall, parts: readonly Speech[]): PlayItem[] {
  return call.speak(parts);
}

/** `"prompt-name"`, `{file=...}`, `{tone=...}`, `{number=n}`, `{digits=s}`, `{amount=x}`, `{silence=ms}`, or a list. */
export function toSpeech(items: unknown, dataDir: string): Speech[] {
  const list = Array.isArray(items) ? items : [items];
  if (list.length === 0 || list.length > 100) throw new Error("play: give 1 to 100 items");
  return list.map((item): Speech => {
    if (typeof item === "string") {
      if (!isPromptName(item)) throw new Error(`play: no prompt named '${item.slice(0, 60)}'`);
      return { prompt: item };
    }
    if (typeof item !== "object" || item === null)
      throw new Error("play: an item is a prompt name or a table");
    const o = item as Record<string, unknown>;
    if (typeof o.prompt === "string") return toSpeech(o.prompt, dataDir)[0]!;
    if (o.number !== undefined) return { number: Math.trunc(num(o.number, "play: number")) };
    if (o.digits !== undefined) return { digits: String(o.digits).replace(/[^0-9*#]/g, "") };
    if (o.amount !== undefined) return { amount: Math.round(num(o.amount, "play: amount") * 100) };
    if (o.silence !== undefined) return { silenceMs: numIn(o.silence, 0, 60_000, "play: silence") };
    if (typeof o.tone === "string") {
      if (!TONES.has(o.tone)) throw new Error(`play: no tone named '${o.tone.slice(0, 40)}'`);
      const ms = o.ms === undefined ? undefined : numIn(o.ms, 10, 60_000, "play: ms");
      return ms === undefined ? { tone: o.tone as "beep" } : { tone: o.tone as "beep", ms };
    }
    if (typeof o.file === "string") return { file: dataFile(o.file, dataDir) };
    throw new Error("play: an item needs one of prompt, file, tone, number, digits, amount, silence");
  });
}

/** One spoken part in words, for the log. */
function describe(part: Speech): string {
  const [key, value] = Object.entries(part)[0] ?? ["", ""];
  return key === "prompt" ? String(value) : `${key}:${String(value)}`;
}

/** A file named relative to the data directory, never outside it. */
function dataFile(name: string, dataDir: string): string {
  const clean = normalize(name);
  if (isAbsolute(clean) || clean.startsWith("..") || clean.includes("\0"))
    throw new Error(`play: the file '${name.slice(0, 80)}' must be a path inside the data directory`);
  return join(dataDir, clean);
}

function keyOf(result: OpResult): string | undefined {
  if (result.reason === "hangup") return undefined;
  return result.reason === "interrupted" ? (result.digit ?? "") : "";
}

function interruptKeys(options: unknown): string {
  const value = field(options, "interrupt");
  if (value === true) return ANY_KEY;
  return typeof value === "string" ? value.replace(/[^0-9*#A-D]/g, "") : "";
}

function field(options: unknown, name: string): unknown {
  return typeof options === "object" && options !== null
    ? (options as Record<string, unknown>)[name]
    : undefined;
}

function num(value: unknown, what: string): number {
  const n = typeof value === "string" ? Number(value) : value;
  if (typeof n !== "number" || !Number.isFinite(n)) throw new Error(`call.${what}: a number is needed`);
  return n;
}

function numIn(value: unknown, min: number, max: number, what: string): number {
  const n = num(value, what);
  if (n < min || n > max) throw new Error(`call.${what}: must be from ${min} to ${max}`);
  return n;
}

function intIn(value: unknown, min: number, max: number, what: string): number {
  return Math.trunc(numIn(value, min, max, what));
}

function text(value: unknown, what: string, max: number): string {
  if (typeof value !== "string") throw new Error(`call.${what}: a string is needed`);
  return value.slice(0, max);
}

function digits(value: unknown, what: string): string {
  const s = typeof value === "number" ? String(Math.trunc(value)) : value;
  if (typeof s !== "string" || !/^[0-9*#+]{1,64}$/.test(s))
    throw new Error(`call.${what}: a number of 1 to 64 digits, * # + is needed`);
  return s;
}
