/**
 * The `user` namespace of service scripts (issue 18: "read user fields";
 * src/services/scripts/host/user-api.ts), through real Lua: get(name) gives a local user's
 * routing fields in snake_case (display name, e-mail, do not disturb, forwarding, voicemail,
 * follow-me...) or nil; never the voicemail PIN, the IP authorization or the static contact (the
 * password's digests are not in a LocalUser at all); a whole number is taken as the extension.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { userApi } from "../../../../src/services/scripts/host/user-api.js";
import { defaultSettings, type LocalUser } from "../../../../src/store/index.js";
import { lua, luaError } from "./lua.js";

const alice: LocalUser = {
  ...defaultSettings("1001"),
  id: 7,
  domainId: 1,
  createdAt: 0,
  updatedAt: 0,
  displayName: "Alice",
  email: "alice@example.com",
  doNotDisturb: true,
  forwarding: {
    unconditional: { enabled: false, number: "" },
    unreachable: { enabled: false, number: "" },
    busy: { enabled: true, number: "2002" },
    noAnswer: { enabled: true, number: "" },
  },
  voicemailOnBusy: true,
  voicemailPin: "4321",
  ipAuthorization: ["10.0.0.0/8"],
  staticContact: "sip:1001@10.0.0.9",
  followMe: { strategy: 1, interval: 20, destinations: ["3003", "", "0612345678"] },
};

const asked: string[] = [];
const api = {
  user: userApi({
    lookup: async (name) => {
      asked.push(name);
      return name === "1001" ? alice : undefined;
    },
  }),
};

describe("user host API", () => {
  it("get(name) gives the user's fields a script routes on", async () => {
    const out = await lua(
      `local u = user.get("1001")
       return { u.name, u.display_name, u.email, u.dnd, u.forwarding.busy.enabled, u.forwarding.busy.number,
         u.forwarding.no_answer.enabled, u.voicemail.enabled, u.voicemail.on_busy, u.voicemail.on_no_answer,
         table.concat(u.follow_me.destinations, ","), u.call_right, u.recording, u.call_waiting }`,
      api,
    );
    assert.deepEqual(out, [
      "1001",
      "Alice",
      "alice@example.com",
      true,
      true,
      "2002",
      true,
      true,
      true,
      false,
      "3003,0612345678",
      1,
      "never",
      true,
    ]);
  });

  it("never hands over the PIN, the trusted addresses or the static contact", async () => {
    const text = (await lua(
      `local found = {}
       local function walk(t, path)
         for k, v in pairs(t) do
           if type(v) == "table" then walk(v, path .. k .. ".") else found[#found + 1] = path .. k .. "=" .. tostring(v) end
         end
       end
       walk(user.get("1001"), "")
       table.sort(found)
       return table.concat(found, "\\n")`,
      api,
    )) as string;
    assert.doesNotMatch(text, /4321|10\.0\.0|pin|password|ha1|ip_auth|static/i);
    assert.match(text, /^display_name=Alice$/m, "the walk did see the fields");
  });

  it("nil for no such user; a whole number is the extension it spells", async () => {
    assert.deepEqual(
      await lua(`return { user.get("9999") == nil, user.get("") == nil, user.get(1001).name }`, api),
      [true, true, "1001"],
    );
    assert.equal(asked.includes(""), false, "an empty name is not looked up");
    assert.match(
      await luaError(`user.get({})`, api),
      /^test\.lua:\d+: user\.get: the user's name must be a string, not table$/,
    );
    assert.match(await luaError(`user.get(1.5)`, api), /must be a string, not number$/);
  });
});
