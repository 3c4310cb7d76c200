/**
 * /api/v1/auto-attendant/menus (issue 17; FEATURES.md section 6): the auto-attendant's menus
 * (greeting, an action per key, direct dialling, timeouts, tries, what happens on timeout and
 * invalid input, the operator) and their uploaded greetings, one WAV per language. A menu is
 * addressed by its name. Changes apply to the next call, without a restart. Every error names
 * its field: a key pointing at a user that does not exist is refused (`keys[1].target`), as is a
 * greeting prompt that is not in the catalogue (`greeting[0]`).
 * Time conditions and entry points: auto-attendant-times.ts.
 */
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { isPromptLanguage, isPromptName, LANGUAGES } from "../../media/prompts/catalogue.js";
import {
  type AutoAttendantMenu,
  MENU_ACTION_KINDS,
  type MenuPatch,
  NotFoundError,
  type Store,
  ValidationError,
} from "../../store/index.js";
import { withIsoStamps } from "../../util/iso-time.js";
import { ApiError, errorResponses } from "../errors.js";
import { Timestamp } from "../timestamps.js";
import type { MenuGreetingsView } from "../types.js";
import { MAX_UPLOAD_BYTES, sendWav, UPLOAD_TYPES, upload, WavBody } from "./prompts.js";

export const MenuAction = Type.Object(
  {
    kind: Type.Enum(MENU_ACTION_KINDS, {
      description:
        "user: ring a local user; number: route a number through the dial plan (the caller's rights); " +
        "group: a ringing or hunt group's number; menu: a sub-menu; voicemail: a user's voicemail; " +
        "repeat: the menu again; back: the menu the caller came from; operator: the menu's operator " +
        'number; hangup: "goodbye".',
    }),
    target: Type.String({
      description:
        'The user name, number or menu name the kind needs; "" for repeat, back, operator, hangup.',
    }),
  },
  { additionalProperties: false },
);

const key = Type.Optional(MenuAction);
/** One optional action per key (written out: the OpenAPI document lists the keys). */
const MenuKeys = Type.Object(
  {
    "1": key,
    "2": key,
    "3": key,
    "4": key,
    "5": key,
    "6": key,
    "7": key,
    "8": key,
    "9": key,
    "0": key,
    "*": key,
    "#": key,
  },
  { additionalProperties: false, description: "The action of each key 0-9, *, # that has one." },
);

const menuFields = {
  name: Type.String({
    description: "1-64 of letters, digits, '.', '_', '-'; `default` is the default menu.",
  }),
  description: Type.String({ maxLength: 200 }),
  greeting: Type.Array(Type.String(), {
    description: "System prompts played in turn (catalogue names, GET /prompts); an uploaded greeting wins.",
  }),
  keys: MenuKeys,
  directDial: Type.Boolean({ description: "An extension number may be dialled at any time." }),
  firstDigitTimeout: Type.Integer({ description: "Seconds to wait for the first key after the greeting." }),
  interDigitTimeout: Type.Integer({ description: "Seconds to wait for each next digit of an extension." }),
  maxDigits: Type.Integer({ description: "The longest extension number dialled." }),
  tries: Type.Integer({ description: "Timeouts, and invalid entries, tolerated before their action." }),
  timeoutAction: MenuAction,
  invalidAction: MenuAction,
  operator: Type.String({ description: 'The number the operator action routes; "" = none.' }),
};

export const MenuItem = Type.Object(
  {
    id: Type.Integer(),
    ...menuFields,
    customGreetings: Type.Array(Type.Enum(LANGUAGES), {
      description: "The languages this menu has an uploaded greeting in.",
    }),
    createdAt: Timestamp("When it was created."),
    updatedAt: Timestamp("When it was last changed."),
  },
  { description: "An auto-attendant menu." },
);

const f = menuFields;
const NewMenu = Type.Object(
  {
    name: f.name,
    description: Type.Optional(f.description),
    greeting: Type.Optional(f.greeting),
    keys: Type.Optional(f.keys),
    directDial: Type.Optional(f.directDial),
    firstDigitTimeout: Type.Optional(f.firstDigitTimeout),
    interDigitTimeout: Type.Optional(f.interDigitTimeout),
    maxDigits: Type.Optional(f.maxDigits),
    tries: Type.Optional(f.tries),
    timeoutAction: Type.Optional(f.timeoutAction),
    invalidAction: Type.Optional(f.invalidAction),
    operator: Type.Optional(f.operator),
  },
  { additionalProperties: false },
);
const MenuPatchBody = Type.Partial(Type.Object(menuFields), { additionalProperties: false });
const NameParam = Type.Object({ name: Type.String() });
const GreetingParams = Type.Object({
  name: Type.String(),
  lang: Type.String({ description: `The greeting's language: ${LANGUAGES.join(", ")}.` }),
});

/** Greeting prompts must be in the catalogue (the store cannot know it). */
function checkGreeting(greeting: unknown): void {
  if (!Array.isArray(greeting)) return;
  const errors = greeting.flatMap((p, i) =>
    typeof p === "string" && !isPromptName(p)
      ? [{ field: `greeting[${i}]`, message: `no prompt is named "${p}"` }]
      : [],
  );
  if (errors.length > 0) throw new ValidationError(errors);
}

export interface AutoAttendantRoutesOptions {
  store: Store;
  domainId: number;
  greetings: MenuGreetingsView;
}

export const autoAttendantRoutes: FastifyPluginAsyncTypebox<AutoAttendantRoutesOptions> = async (
  app,
  { store, domainId, greetings },
) => {
  const repository = store.autoAttendant;
  const item = (menu: AutoAttendantMenu) => ({
    ...withIsoStamps(menu),
    customGreetings: greetings.languages(menu.name),
  });
  const existing = async (name: string) => {
    const menu = await repository.menu(domainId, name);
    if (menu === undefined) throw new NotFoundError("auto-attendant menu", name);
    return menu;
  };
  // Encapsulated in this plugin: the other routes keep answering 415 to a non-JSON body.
  app.addContentTypeParser(
    UPLOAD_TYPES,
    { parseAs: "buffer", bodyLimit: MAX_UPLOAD_BYTES },
    (_req, body, done) => done(null, body),
  );

  app.get(
    "/auto-attendant/menus",
    {
      schema: {
        operationId: "listAutoAttendantMenus",
        tags: ["auto-attendant"],
        summary: "The auto-attendant's menus, by name",
        response: { 200: Type.Object({ items: Type.Array(MenuItem) }), ...errorResponses(401) },
      },
    },
    async () => ({ items: (await repository.menus(domainId)).map(item) }),
  );

  app.get(
    "/auto-attendant/menus/:name",
    {
      schema: {
        operationId: "getAutoAttendantMenu",
        tags: ["auto-attendant"],
        summary: "One menu",
        params: NameParam,
        response: { 200: MenuItem, ...errorResponses(401, 404) },
      },
    },
    async (request) => item(await existing(request.params.name)),
  );

  app.post(
    "/auto-attendant/menus",
    {
      schema: {
        operationId: "createAutoAttendantMenu",
        tags: ["auto-attendant"],
        summary: "Add a menu; its name is unique",
        body: NewMenu,
        response: { 201: MenuItem, ...errorResponses(400, 401, 409) },
      },
    },
    async (request, reply) => {
      checkGreeting(request.body.greeting);
      const created = await repository.createMenu(domainId, request.body as MenuPatch & { name: string });
      return reply.code(201).send(item(created));
    },
  );

  app.patch(
    "/auto-attendant/menus/:name",
    {
      schema: {
        operationId: "updateAutoAttendantMenu",
        tags: ["auto-attendant"],
        summary: "Change a menu (a menu another record names cannot be renamed)",
        params: NameParam,
        body: MenuPatchBody,
        response: { 200: MenuItem, ...errorResponses(400, 401, 404, 409) },
      },
    },
    async (request) => {
      checkGreeting(request.body.greeting);
      const updated = await repository.updateMenu(domainId, request.params.name, request.body as MenuPatch);
      if (updated.name !== request.params.name)
        for (const lang of greetings.languages(request.params.name))
          greetings.remove(request.params.name, lang);
      return item(updated);
    },
  );

  app.delete(
    "/auto-attendant/menus/:name",
    {
      schema: {
        operationId: "deleteAutoAttendantMenu",
        tags: ["auto-attendant"],
        summary: "Remove a menu and its greetings (not the default menu, nor one another record names)",
        params: NameParam,
        response: { 204: Type.Null({ description: "Deleted." }), ...errorResponses(400, 401, 404) },
      },
    },
    async (request, reply) => {
      if (!(await repository.deleteMenu(domainId, request.params.name)))
        throw new NotFoundError("auto-attendant menu", request.params.name);
      greetings.remove(request.params.name);
      return reply.code(204).send(null);
    },
  );

  const language = (lang: string) => {
    if (!isPromptLanguage(lang))
      throw new ApiError("not_found", `no language "${lang}" (there are: ${LANGUAGES.join(", ")})`);
    return lang;
  };

  app.get(
    "/auto-attendant/menus/:name/greetings/:lang",
    {
      schema: {
        operationId: "getAutoAttendantGreeting",
        tags: ["auto-attendant"],
        summary: "A menu's uploaded greeting in one language (8 kHz WAV)",
        params: GreetingParams,
        response: { ...errorResponses(401, 404) },
      },
    },
    async (request, reply) => {
      const { name, lang } = request.params;
      await existing(name);
      const path = greetings.path(name, language(lang));
      if (path === undefined) throw new ApiError("not_found", `menu "${name}" has no ${lang} greeting`);
      return sendWav(reply, path);
    },
  );

  app.put(
    "/auto-attendant/menus/:name/greetings/:lang",
    {
      bodyLimit: MAX_UPLOAD_BYTES,
      schema: {
        operationId: "uploadAutoAttendantGreeting",
        tags: ["auto-attendant"],
        summary:
          "Upload a menu's greeting in one language (a WAV, converted); it plays instead of the prompts",
        consumes: UPLOAD_TYPES,
        params: GreetingParams,
        body: WavBody,
        response: {
          200: Type.Object({ name: Type.String(), lang: Type.Enum(LANGUAGES), durationMs: Type.Integer() }),
          ...errorResponses(400, 401, 404),
        },
      },
    },
    async (request) => {
      const { name, lang } = request.params;
      await existing(name);
      const saved = greetings.save(name, language(lang), upload(request.body));
      if (!saved.ok) throw new ApiError("bad_request", saved.error);
      return { name, lang: language(lang), durationMs: saved.durationMs };
    },
  );

  app.delete(
    "/auto-attendant/menus/:name/greetings/:lang",
    {
      schema: {
        operationId: "deleteAutoAttendantGreeting",
        tags: ["auto-attendant"],
        summary: "Remove a menu's uploaded greeting: its prompts play again",
        params: GreetingParams,
        response: { 204: Type.Null({ description: "Removed." }), ...errorResponses(401, 404) },
      },
    },
    async (request, reply) => {
      const { name, lang } = request.params;
      await existing(name);
      if (!greetings.remove(name, language(lang)))
        throw new ApiError("not_found", `menu "${name}" has no ${lang} greeting`);
      return reply.code(204).send(null);
    },
  );
};
