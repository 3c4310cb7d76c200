/**
 * The auto-attendant's menu (issue 17, menu-session.ts) over a scripted endpoint: the greeting,
 * a key's action, direct dialling of an extension (the digits after the first key), the single
 * key when nothing follows, the timeout and invalid paths (repeat, then the action after N
 * tries), sub-menus and "back", a user deleted since the menu was saved ("number-not-exist" and
 * the menu again), a failed transfer said by its status, and the uploaded greeting's file.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { FinalStatus } from "../../src/call/media-endpoint.js";
import type { OpResult, PlayItem } from "../../src/media/endpoint/endpoint-protocol.js";
import {
  type Connection,
  failurePrompt,
  MenuSession,
} from "../../src/services/auto-attendant/menu-session.js";
import { type AutoAttendantMenu, MENU_DEFAULTS } from "../../src/store/auto-attendant-model.js";

const menu = (name: string, over: Partial<AutoAttendantMenu> = {}): AutoAttendantMenu => ({
  ...MENU_DEFAULTS,
  id: 1,
  domainId: 1,
  name,
  createdAt: 0,
  updatedAt: 0,
  ...over,
});

/** The caller: what each collection returns, in order; afterwards the caller hangs up. */
function harness(
  collects: OpResult[],
  menus: AutoAttendantMenu[],
  o: {
    users?: string[];
    groups?: string[];
    connect?: (to: Connection) => FinalStatus;
    greeting?: string;
  } = {},
) {
  const heard: string[] = [];
  const connections: Connection[] = [];
  const users = new Set(o.users ?? ["101", "102"]);
  const session = new MenuSession({
    endpoint: {
      play: (items: readonly PlayItem[]) => {
        heard.push(
          items.map((i) => ("file" in i ? i.file : "tone" in i ? `tone:${i.tone}` : "silence")).join(","),
        );
        return Object.assign(Promise.resolve<OpResult>({ reason: "completed" }), { stop: () => {} });
      },
      collect: async () => collects.shift() ?? { reason: "hangup" },
    },
    speak: (parts) =>
      parts.map((p) => ({ file: "prompt" in p ? p.prompt : "tone" in p ? `tone:${p.tone}` : "?" })),
    menu: async (name) => menus.find((m) => m.name === name),
    greeting: () => o.greeting,
    userExists: async (name) => users.has(name),
    groupExists: async (number) => (o.groups ?? []).includes(number),
    connect: async (to) => {
      connections.push(to);
      return o.connect?.(to) ?? { status: 200, reason: "OK" };
    },
    caller: "0123",
    logger: { info: () => {}, warn: () => {} },
  });
  return { session, heard, connections };
}

const keys = (digits: string): OpResult => ({ reason: "completed", digits });
const silence: OpResult = { reason: "timeout", digits: "" };

describe("MenuSession", () => {
  it("plays the greeting, then dials an extension typed digit by digit and connects it as that user", async () => {
    const h = harness([keys("1"), { reason: "timeout", digits: "01" }], [menu("default")]);
    await h.session.run(menu("default"));
    assert.equal(h.heard[0], "welcome,enter-extension");
    assert.deepEqual(h.connections, [
      { action: { kind: "user", target: "101" }, menu: "default", key: "101" },
    ]);
    assert.equal(h.heard.at(-1), "tone:ringback");
  });

  it("an extension dialled directly may be a group's number; any other number is invalid", async () => {
    const h = harness([keys("6"), keys("00")], [menu("default")], { groups: ["600"] });
    await h.session.run(menu("default"));
    assert.deepEqual(h.connections, [
      { action: { kind: "group", target: "600" }, menu: "default", key: "600" },
    ]);
  });

  it("a key alone (nothing follows in time) runs that key's action", async () => {
    const m = menu("main", { keys: { "2": { kind: "group", target: "600" } } });
    const h = harness([keys("2"), silence], [m]);
    await h.session.run(m);
    assert.deepEqual(h.connections, [{ action: { kind: "group", target: "600" }, menu: "main", key: "2" }]);
  });

  it("* and # act at once, without waiting for more digits", async () => {
    const m = menu("main", { keys: { "#": { kind: "operator", target: "" } }, operator: "100" });
    const h = harness([keys("#")], [m]);
    await h.session.run(m);
    assert.deepEqual(h.connections[0]?.action, { kind: "number", target: "100" });
  });

  it("silence repeats the menu; after 'tries' silences the timeout action runs", async () => {
    const m = menu("main", { tries: 2, timeoutAction: { kind: "user", target: "102" } });
    const h = harness([silence, silence], [m]);
    await h.session.run(m);
    assert.equal(h.heard.filter((p) => p === "welcome,enter-extension").length, 2);
    assert.deepEqual(h.connections, [
      { action: { kind: "user", target: "102" }, menu: "main", key: "timeout" },
    ]);
  });

  it("an invalid entry says so and repeats; after 'tries' the invalid action (goodbye) ends the call", async () => {
    const m = menu("main", { tries: 2 });
    const h = harness([keys("9"), silence, keys("*")], [m]);
    await h.session.run(m);
    assert.deepEqual(h.heard, [
      "welcome,enter-extension",
      "invalid,try-again",
      "welcome,enter-extension",
      "goodbye,?",
    ]);
    assert.deepEqual(h.connections, []);
  });

  it("an extension that is no local user is an invalid entry", async () => {
    const m = menu("main", { tries: 1 });
    const h = harness([keys("5"), keys("55")], [m]);
    await h.session.run(m);
    assert.deepEqual(h.connections, []);
    assert.equal(h.heard.at(-1), "goodbye,?");
  });

  it("a sub-menu plays its own greeting; 'back' returns to the menu the caller came from", async () => {
    const top = menu("top", { directDial: false, keys: { "1": { kind: "menu", target: "sales" } } });
    const sales = menu("sales", {
      greeting: ["company-greeting"],
      keys: { "*": { kind: "back", target: "" } },
    });
    const h = harness([keys("1"), keys("*"), keys("0")], [top, sales], { users: [] });
    await h.session.run(top);
    assert.deepEqual(h.heard.slice(0, 3), [
      "welcome,enter-extension",
      "company-greeting",
      "welcome,enter-extension",
    ]);
  });

  it("a user deleted since the menu was saved: 'number-not-exist', and the menu again", async () => {
    const m = menu("main", { directDial: false, keys: { "3": { kind: "user", target: "103" } } });
    const h = harness([keys("3")], [m]);
    await h.session.run(m);
    assert.deepEqual(h.connections, []);
    assert.deepEqual(h.heard.slice(0, 3), [
      "welcome,enter-extension",
      "number-not-exist",
      "welcome,enter-extension",
    ]);
  });

  it("a transfer that fails is said by its status, and the menu goes on", async () => {
    const h = harness([keys("1"), keys("02")], [menu("default")], {
      connect: () => ({ status: 486, reason: "Busy Here" }),
    });
    await h.session.run(menu("default"));
    assert.deepEqual(h.heard.slice(1, 4), ["tone:ringback", "busy", "welcome,enter-extension"]);
  });

  it("plays the uploaded greeting instead of the prompts when there is one", async () => {
    const h = harness([], [menu("default")], { greeting: "/data/auto-attendant/zh/default.1.wav" });
    await h.session.run(menu("default"));
    assert.deepEqual(h.heard, ["/data/auto-attendant/zh/default.1.wav"]);
  });

  it("failurePrompt() maps statuses to what the caller hears", () => {
    const said = (status: number, reason = "") => failurePrompt({ status, reason });
    assert.equal(said(404), "number-not-exist");
    assert.equal(said(486), "busy");
    assert.equal(said(480, "No Answer"), "no-answer");
    assert.equal(said(480, "Temporarily Unavailable"), "not-available");
    assert.equal(said(403), "restricted");
    assert.equal(said(503), "call-cannot-be-completed");
  });
});
