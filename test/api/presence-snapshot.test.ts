/**
 * Presence in the admin API (issue 19, "the web UI's dashboard shows presence"), over a real
 * SQLite store and the real presence composition (presence/presence-events.ts) with a fake call
 * engine. Proven: the live snapshot's users carry `presence` as a watcher sees it (do-not-disturb
 * closed and busy; a device's published activity and note; registration else), none without
 * presence; a PUBLISH, and its expiry, signal the live view (onPresenceChange) and the next
 * snapshot shows the change; GET /users and GET /users/{name} carry the same, valid against their
 * OpenAPI schemas; GET /events streams it. Not here: the dashboard's badges (test/web/presence.test.ts)
 * and PUBLISH over SIP (test/presence).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Ajv2020 } from "ajv/dist/2020.js";
import formats from "ajv-formats";
import type { FastifyInstance } from "fastify";
import { LiveEvents } from "../../src/api/admin/live-events.js";
import { LiveSnapshots } from "../../src/api/admin/live-snapshot.js";
import { createApi } from "../../src/api/index.js";
import { offlineRouting } from "../../src/api/routes/routing.js";
import type { PresenceView } from "../../src/api/types.js";
import { type PresenceEvents, presenceEvents } from "../../src/presence/presence-events.js";
import type { PresenceState } from "../../src/presence/presence-package.js";
import { type Store, storeFromUrl } from "../../src/store/index.js";
import { VirtualClock } from "../../src/util/clock.js";
import { auth, baseApiDeps, MemoryCalls, MemoryRegistrations, NOW } from "./fixtures.js";

const DND = { open: false, activities: ["busy"], note: "Do not disturb" };
const LUNCH = { open: true, activities: ["away"], note: "Out for lunch" };
const OFFLINE = { open: false, activities: [], note: "Offline" };
const ONLINE = { open: true, activities: [], note: "Online" };

describe("presence in the admin API", () => {
  let dir: string;
  let store: Store;
  let domainId: number;
  let presence: PresenceEvents;
  let app: FastifyInstance;
  const clock = new VirtualClock();
  const events = new LiveEvents();
  const states = new Map<string, PresenceState>([["101", "online"]]);
  let changes = 0;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "parley-presence-api-"));
    store = await storeFromUrl(undefined, dir);
    await store.migrate();
    domainId = (await store.domains.getDefault()).id;
    // 100 has do-not-disturb on; 101 is registered; 102 is not.
    await store.users.create(domainId, { name: "100", password: "secret100", doNotDisturb: true });
    await store.users.create(domainId, { name: "101", password: "secret101" });
    await store.users.create(domainId, { name: "102", password: "secret102" });
    presence = presenceEvents({
      host: "pbx.test",
      lookup: async (d, name) => {
        const user = await store.users.get(d, name);
        return user === undefined ? undefined : { user };
      },
      calls: { dialogsOf: () => [] },
      userState: (_d, user) => states.get(user) ?? "offline",
      clock,
      // As server.ts wires it: a publication's change refreshes the live view.
      onPresenceChange: () => {
        changes++;
        events.notify();
      },
    });
    app = await createApi({ ...baseApiDeps(store), now: () => NOW, events, presence });
    await app.listen({ port: 0, host: "127.0.0.1" });
  });
  after(async () => {
    presence.publications.close();
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** 101's softphone says it is away, "Out for lunch", for 60 s. */
  const publishLunch = () =>
    presence.publications.publish(domainId, "101", {
      expires: 60,
      state: { basic: "open", activities: ["away"], note: "Out for lunch" },
    });

  const snapshot = async (extra: { presence?: PresenceView }) => {
    const snapshots = new LiveSnapshots({
      store,
      domainId,
      events,
      calls: new MemoryCalls(),
      registrations: new MemoryRegistrations(),
      userState: (_d, user) => states.get(user) ?? "offline",
      routing: offlineRouting(store, domainId),
      now: () => NOW,
      ...extra,
    });
    try {
      const data = JSON.parse(await snapshots.build()) as { users: Array<Record<string, unknown>> };
      return new Map(data.users.map((u) => [u.name as string, u]));
    } finally {
      snapshots.stop();
    }
  };

  const get = (url: string) => app.inject({ method: "GET", url: `/api/v1${url}`, headers: auth });

  describe("the live snapshot", () => {
    it("gives each user what its watchers see: do-not-disturb, registration", async () => {
      const users = await snapshot({ presence });
      assert.deepEqual(users.get("100")?.presence, DND);
      assert.deepEqual(users.get("101")?.presence, ONLINE);
      assert.deepEqual(users.get("102")?.presence, OFFLINE);
      assert.equal(users.get("101")?.state, "online", "the live state stays beside it");
    });

    it("has no `presence` when the server has none", async () => {
      const users = await snapshot({});
      assert.equal("presence" in users.get("100")!, false);
    });

    it("upon a PUBLISH, signals the live view and shows the device's activity and note", async () => {
      const before = changes;
      const result = publishLunch();
      assert.equal(result.ok, true);
      assert.equal(changes, before + 1, "onPresenceChange called once");
      assert.deepEqual((await snapshot({ presence })).get("101")?.presence, LUNCH);
    });

    it("upon the publication's expiry, signals again and falls back to registration", async () => {
      const before = changes;
      clock.advance(61_000);
      assert.equal(changes, before + 1);
      assert.deepEqual((await snapshot({ presence })).get("101")?.presence, ONLINE);
    });

    it("a call outranks a published note: on the phone", async () => {
      publishLunch();
      states.set("101", "talking");
      try {
        assert.deepEqual((await snapshot({ presence })).get("101")?.presence, {
          open: true,
          activities: ["on-the-phone", "away"],
          note: "On the phone",
        });
      } finally {
        states.set("101", "online");
      }
    });
  });

  describe("GET /users", () => {
    const strict = new Ajv2020({ strict: true });
    formats.default(strict);
    const schemaOf = async (path: string) => {
      const doc = (await get("/openapi.json")).json();
      return strict.compile(
        doc.paths[`/api/v1${path}`].get.responses["200"].content["application/json"].schema,
      );
    };

    it("GET /users/{name} carries the user's presence, valid against its schema", async () => {
      const res = await get("/users/100");
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json().presence, DND);
      const validate = await schemaOf("/users/{name}");
      assert.ok(validate(res.json()), strict.errorsText(validate.errors));
    });

    it("GET /users carries every listed user's presence, valid against its schema", async () => {
      publishLunch();
      const res = await get("/users");
      assert.equal(res.statusCode, 200);
      const body = res.json() as { items: Array<{ name: string; presence: unknown }> };
      assert.deepEqual(
        body.items.map((u) => [u.name, u.presence]),
        [
          ["100", DND],
          ["101", LUNCH],
          ["102", OFFLINE],
        ],
      );
      const validate = await schemaOf("/users");
      assert.ok(validate(body), strict.errorsText(validate.errors));
    });

    it("without presence, GET /users/{name} has no `presence`", async () => {
      const bare = await createApi({ ...baseApiDeps(store), now: () => NOW });
      try {
        const res = await bare.inject({ method: "GET", url: "/api/v1/users/100", headers: auth });
        assert.equal(res.statusCode, 200);
        assert.equal("presence" in res.json(), false);
      } finally {
        await bare.close();
      }
    });
  });

  it("GET /events streams it: the composition passes presence to the stream", async () => {
    const address = app.server.address();
    assert.ok(address && typeof address === "object");
    const controller = new AbortController();
    const res = await fetch(`http://127.0.0.1:${address.port}/api/v1/events`, {
      headers: auth,
      signal: controller.signal,
    });
    assert.equal(res.status, 200);
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    let data: RegExpExecArray | null = null;
    while (data === null) {
      const { value, done } = await reader.read();
      assert.ok(!done, "the stream stays open");
      buffer += value;
      data = /^event: snapshot\ndata: (.*)$/m.exec(buffer);
    }
    controller.abort();
    await reader.cancel().catch(() => {});
    const users = JSON.parse(data[1]!).users as Array<{ name: string; presence: unknown }>;
    assert.deepEqual(users.find((u) => u.name === "100")?.presence, DND);
  });
});
