/**
 * Covers issue 17, call recording's decisions (src/services/recording, src/call/call-recording.ts)
 * with fake media and an in-memory repository: which calls are anchored for recording (a user's
 * always / on-demand, an answering group member, a recording line or trunk; nobody: none), what
 * the answer starts, the in-call code `*1#` toggling a recording for a party with the on-demand
 * right only (a third press makes a second file), an always-recorded call the code cannot stop,
 * the rows and the CDR link, the provider in front of the relay (the record reason, the
 * recorder stopped before the release), an unwritable folder, and the retention sweep.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import type { CallSubject } from "../../src/call/call-events.js";
import type {
  CallMedia,
  CallMediaProvider,
  CallMediaRequest,
  CallMediaStats,
} from "../../src/call/call-media.js";
import { type RecordingRequest, recordingMedia, withMediaStats } from "../../src/call/call-recording.js";
import { CallRelay } from "../../src/call/call-relay.js";
import { DetectionPointTable } from "../../src/call/detection-points.js";
import type { CallParty } from "../../src/call/types.js";
import { FeatureCodeTable } from "../../src/services/feature-codes.js";
import { RecordingService } from "../../src/services/recording/recording.js";
import { recordingFile, sweepRecordings } from "../../src/services/recording/recording-files.js";
import {
  type CallRecording,
  defaultSettings,
  type LocalUser,
  type RecordingMode,
  type RecordingRepository,
} from "../../src/store/index.js";
import type { Logger } from "../../src/util/logger.js";

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const tick = () => new Promise((r) => setTimeout(r, 20));

class MemoryRecordings implements RecordingRepository {
  rows: CallRecording[] = [];
  async insert(r: CallRecording) {
    this.rows.push(r);
    return r;
  }
  async list() {
    return { items: [...this.rows].reverse(), total: this.rows.length };
  }
  async get(_d: number, id: string) {
    return this.rows.find((r) => r.id === id);
  }
  async delete(_d: number, id: string) {
    const found = this.rows.find((r) => r.id === id);
    this.rows = this.rows.filter((r) => r.id !== id);
    return found;
  }
  async startedBefore(before: number, limit: number) {
    return this.rows.filter((r) => r.startedAt < before).slice(0, limit);
  }
}

function capturingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const log = (level: string) => (obj: unknown, msg?: string) => lines.push(`${level} ${msg ?? String(obj)}`);
  const logger = { warn: log("warn"), info: log("info"), debug: log("debug"), error: log("error") };
  return { logger: logger as unknown as Logger, lines };
}

const party = (user: string): CallParty => ({ domainId: 1, user, displayName: "" });
function user(name: string, recording: RecordingMode): LocalUser {
  return { ...defaultSettings(name), recording, id: 1, domainId: 1, createdAt: 0, updatedAt: 0 };
}

/** A relayed call's media that records into nothing but counts. */
function fakeMedia() {
  const started: string[] = [];
  let stopped = 0;
  const media: CallMedia = {
    sdp: (b) => b,
    answered: () => {},
    stats: () => ({}) as CallMediaStats,
    onTimeout: () => {},
    close: async () => ({}) as CallMediaStats,
    async record({ path }) {
      started.push(path);
      return {
        ok: true,
        stop: async () => {
          stopped++;
          return { durationMs: 1234, bytes: 19_788 };
        },
      };
    },
  };
  return { media, started, stopped: () => stopped };
}

function setup(modes: Record<string, RecordingMode>, options: { dataDir?: string } = {}) {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "parley-rec-svc-"));
  dirs.push(dataDir);
  const { logger, lines } = capturingLogger();
  const points = new DetectionPointTable(logger);
  const repository = new MemoryRecordings();
  const service = new RecordingService({
    points,
    features: new FeatureCodeTable(),
    users: {
      lookup: async (_d, name) => (modes[name] === undefined ? undefined : { user: user(name, modes[name]) }),
    },
    repository,
    dataDir,
    channels: 1,
    retentionDays: 90,
    logger,
    now: () => Date.UTC(2027, 4, 6, 12),
  });
  const request = (
    caller: string,
    callees: string[],
    extra: Partial<RecordingRequest> = {},
  ): RecordingRequest => ({
    caller: {
      party: party(caller),
      user: modes[caller] === undefined ? undefined : user(caller, modes[caller]),
      inbound: undefined,
      dialed: callees[0] ?? "",
      startedAt: 0,
    },
    callees: callees.map(party),
    carrierRecords: false,
    ...extra,
  });
  const call = (caller: string, callee: string): CallSubject => ({
    id: "call-1",
    caller: party(caller),
    callee: party(callee),
    dialed: callee,
    state: "answered",
  });
  const key = (c: CallSubject, by: string, keys: string) => {
    for (const digit of keys) points.tell("digit", { call: c, by: party(by), digit });
  };
  return { service, repository, request, call, key, lines, dataDir };
}

describe("RecordingService.prepare()", () => {
  it("anchors a call only when someone may record it", async () => {
    const { service, request } = setup({
      "100": "never",
      "101": "never",
      "102": "always",
      "103": "on-demand",
    });
    await service.start();
    assert.equal(await service.prepare("c", request("100", ["101"])), undefined);
    assert.ok(await service.prepare("c", request("102", ["101"])), "caller always");
    assert.ok(await service.prepare("c", request("103", ["101"])), "caller on demand");
    assert.ok(await service.prepare("c", request("100", ["101", "102"])), "a group member always");
    assert.ok(await service.prepare("c", request("100", [], { carrierRecords: true })), "a recording trunk");
    const inbound = request("0601", ["101"]);
    const fromLine = {
      ...inbound,
      caller: {
        ...inbound.caller,
        inbound: { kind: "line" as const, name: "l", dialed: "101", release: () => {}, recordCalls: true },
      },
    };
    assert.ok(await service.prepare("c", fromLine), "a recording line");
    service.stop();
  });

  it("a folder that cannot be written: a warning, and calls are not anchored", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "parley-rec-ro-"));
    mkdirSync(join(dataDir, "recordings"));
    writeFileSync(join(dataDir, "recordings", "calls"), "a file");
    const { service, request, lines } = setup({ "100": "always" }, { dataDir });
    await service.start();
    assert.ok(
      lines.some((l) => l.startsWith("warn") && l.includes("not writable")),
      lines.join("\n"),
    );
    assert.equal(await service.prepare("c", request("100", ["101"])), undefined);
    service.stop();
  });
});

describe("a call that may be recorded", () => {
  it("always: recorded from the answer; the end stops it, stores its row and names it for the CDR", async () => {
    const { service, repository, request, call, dataDir } = setup({ "100": "always", "101": "never" });
    await service.start();
    const plan = await service.prepare("call-1", request("100", ["101"]));
    const m = fakeMedia();
    plan?.answered(call("100", "101"), m.media);
    await tick();
    const file = recordingFile("call-1", Date.UTC(2027, 4, 6, 12));
    assert.deepEqual(m.started, [join(dataDir, "recordings", file)]);
    assert.equal(file, "calls/2027/05/06/call-1.wav");
    assert.equal(plan?.ended(), "call-1");
    await tick();
    assert.equal(m.stopped(), 1);
    assert.deepEqual(
      repository.rows.map((r) => [r.id, r.caller, r.callee, r.durationMs, r.bytes, r.file]),
      [["call-1", "100", "101", 1234, 19_788, file]],
    );
    service.stop();
  });

  it("on demand: *1# starts, *1# again stops, a third makes a second file; another party's code is ignored", async () => {
    const { service, repository, request, call, key } = setup({ "100": "on-demand", "101": "never" });
    await service.start();
    const plan = await service.prepare("call-1", request("100", ["101"]));
    const m = fakeMedia();
    const c = call("100", "101");
    plan?.answered(c, m.media);
    await tick();
    assert.deepEqual(m.started, [], "nothing before the code");
    key(c, "101", "*1#");
    await tick();
    assert.deepEqual(m.started, [], "101 has no on-demand right");
    key(c, "100", "*1#");
    await tick();
    assert.equal(m.started.length, 1);
    key(c, "100", "*1#");
    await tick();
    assert.equal(m.stopped(), 1);
    key(c, "100", "*1#");
    await tick();
    assert.match(m.started[1] ?? "", /call-1-2\.wav$/);
    assert.equal(plan?.ended(), "call-1");
    await tick();
    assert.deepEqual(
      repository.rows.map((r) => r.id),
      ["call-1", "call-1-2"],
    );
    service.stop();
  });

  it("always-recorded: the code of an on-demand party cannot stop it", async () => {
    const { service, request, call, key } = setup({ "100": "on-demand", "101": "always" });
    await service.start();
    const plan = await service.prepare("call-1", request("100", ["101"]));
    const m = fakeMedia();
    const c = call("100", "101");
    plan?.answered(c, m.media);
    await tick();
    key(c, "100", "*1#");
    await tick();
    assert.equal(m.stopped(), 0);
    plan?.ended();
    service.stop();
  });
});

describe("the recording provider in front of the relay", () => {
  it("asks for a session to record, starts at the answer, stops before the release, links the CDR", async () => {
    const order: string[] = [];
    const requests: CallMediaRequest[] = [];
    const relay: CallMediaProvider = {
      async forCall(r) {
        requests.push(r);
        return {
          sdp: (b) => b,
          answered: () => order.push("answered"),
          stats: () => ({ relayed: true, reason: "record" }) as CallMediaStats,
          onTimeout: () => {},
          close: async () => {
            order.push("released");
            return { relayed: true, reason: "record" } as CallMediaStats;
          },
        };
      },
    };
    const provider = recordingMedia(
      relay,
      async () => ({
        answered: () => order.push("recording"),
        ended: () => {
          order.push("stopped");
          return "call-9";
        },
      }),
      capturingLogger().logger,
    );
    const base = {
      callId: "call-9",
      callerSdp: Buffer.alloc(0),
      callerSource: "127.0.0.1",
      callerRelayMedia: false,
      calleeRelayMedia: false,
      calleeBindings: [],
    };
    const media = await provider.forCall({
      ...base,
      recording: { caller: {} as never, callees: [], carrierRecords: true },
    });
    assert.equal(requests[0]?.record, true);
    media?.answered({ id: "call-9" } as CallSubject);
    const stats = await media?.close();
    assert.deepEqual(order, ["answered", "recording", "stopped", "released"]);
    assert.equal(stats?.recording, "call-9");
    const record = withMediaStats({ callId: "call-9" } as never, stats as CallMediaStats);
    assert.equal(record.recording, "call-9");
    assert.equal((record.media as Record<string, unknown>).recording, undefined);
    // No recording request (a media endpoint): the relay is asked as before.
    await provider.forCall(base);
    assert.equal(requests[1]?.record, undefined);
  });
});

describe("CallRelay with a call to record", () => {
  const base = {
    callId: "c",
    callerSdp: Buffer.from("v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 4000 RTP/AVP 0\r\n"),
    callerSource: "127.0.0.1",
    callerContactHost: "127.0.0.1",
    callerRelayMedia: false,
    calleeRelayMedia: false,
    calleeBindings: [],
  };
  const relay = (mode: "auto" | "never", allocate: () => Promise<never>, errors: unknown[] = []) =>
    new CallRelay({
      engine: { allocate } as never,
      mode,
      address: "127.0.0.1",
      fallbackAddress: "127.0.0.1",
      timeoutMs: 0,
      onError: (e) => errors.push(e),
    });

  it("relays with the reason 'record', even with --media-relay never; not without it", () => {
    const none = async () => Promise.reject(new Error("unused"));
    assert.equal(relay("auto", none).reason(base), undefined);
    assert.equal(relay("auto", none).reason({ ...base, record: true })?.reason, "record");
    assert.equal(relay("never", none).reason({ ...base, record: true })?.reason, "record");
    assert.equal(relay("never", none).reason(base), undefined);
  });

  it("with no port free, a call relayed only to record goes on phone to phone", async () => {
    const errors: unknown[] = [];
    const full = relay("auto", async () => Promise.reject(new Error("no_port")), errors);
    assert.equal(await full.forCall({ ...base, record: true }), undefined);
    assert.equal(errors.length, 1);
  });
});

describe("sweepRecordings()", () => {
  it("deletes recordings older than the retention time, files and rows; 0 keeps all", async () => {
    const root = mkdtempSync(join(tmpdir(), "parley-rec-sweep-"));
    dirs.push(root);
    const repo = new MemoryRecordings();
    const day = 86_400_000;
    const now = Date.UTC(2027, 4, 6);
    for (const [id, age] of [
      ["old", 91],
      ["new", 89],
    ] as const) {
      const file = recordingFile(id, now - age * day);
      mkdirSync(join(root, file, ".."), { recursive: true });
      writeFileSync(join(root, file), "RIFF");
      await repo.insert({
        id,
        domainId: 1,
        callId: id,
        caller: "1",
        callee: "2",
        startedAt: now - age * day,
        durationMs: 1,
        bytes: 4,
        channels: 1,
        file,
      });
    }
    assert.equal(await sweepRecordings(repo, root, 0, now), 0);
    assert.equal(await sweepRecordings(repo, root, 90, now), 1);
    assert.deepEqual(
      repo.rows.map((r) => r.id),
      ["new"],
    );
    assert.equal(existsSync(join(root, recordingFile("old", now - 91 * day))), false);
    assert.equal(existsSync(join(root, recordingFile("new", now - 89 * day))), true);
  });
});
