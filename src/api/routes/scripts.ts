/**
 * /api/v1/scripts (issue 18; FEATURES.md section 6, "Service scripts"): the Lua scripts in
 * `<dataDir>/scripts`, listed, read, saved, checked and deleted. A save is compiled first and
 * refused with a 400 naming the field `source` and the line of the syntax error, so a script on
 * disk always compiles; a check does the same without writing. Calls read a script afresh each
 * run (script-files.ts), so a save applies to the next call without a restart.
 */
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import type { ScriptFileError, ScriptFiles, ScriptInfo } from "../../scripting/index.js";
import { isScriptName } from "../../scripting/index.js";
import { NotFoundError, ValidationError } from "../../store/index.js";
import { isoTime } from "../../util/iso-time.js";
import { errorResponses } from "../errors.js";
import { Timestamp } from "../timestamps.js";

const NAME_RULE = "1 to 64 of a-z, 0-9, _ and - (the file is `<name>.lua`).";

export const ScriptItem = Type.Object(
  {
    name: Type.String({ description: `The script's name: ${NAME_RULE}` }),
    bytes: Type.Integer({ minimum: 0, description: "Its size in bytes (at most 256 KB)." }),
    modifiedAt: Timestamp("When it was last saved."),
  },
  { description: "A service script in the data directory's `scripts` folder." },
);

export const ScriptSourceItem = Type.Object(
  {
    name: Type.String({ description: "The script's name." }),
    source: Type.String({ description: "Its Lua source, as on disk now." }),
  },
  { description: "A service script and its text." },
);

const SourceBody = Type.Object(
  { source: Type.String({ description: "Lua 5.4 source; compiled (not run) before it is accepted." }) },
  { additionalProperties: false },
);
const NameParam = Type.Object({ name: Type.String({ description: `The script's name: ${NAME_RULE}` }) });
const CheckResult = Type.Object(
  {
    name: Type.String(),
    ok: Type.Literal(true, { description: "It compiles (a syntax error answers 400 naming `source`)." }),
  },
  { description: "The script compiles." },
);

export interface ScriptsRoutesOptions {
  scripts: ScriptFiles;
}

export function toScriptItem(info: ScriptInfo) {
  return { name: info.name, bytes: info.bytes, modifiedAt: isoTime(Math.floor(info.modifiedAt)) };
}

/** A name that can never be a script's is the request's fault: 400 naming `name`. */
function checkName(name: string): void {
  if (!isScriptName(name))
    throw new ValidationError([{ field: "name", message: `must be a script name: ${NAME_RULE}` }]);
}

/**
 * A refused save or check as the API's validation error: the syntax error's line leads its
 * message (`line 3: ...`), which the web UI reads to mark the line.
 */
export function scriptError(error: ScriptFileError): Error {
  switch (error.code) {
    case "invalid-name":
      return new ValidationError([{ field: "name", message: error.message }]);
    case "too-large":
      return new ValidationError([{ field: "source", message: error.message }]);
    case "syntax": {
      const where = error.line === undefined ? "" : `line ${error.line}: `;
      return new ValidationError([{ field: "source", message: `${where}${error.message}` }]);
    }
    case "io":
      return new Error(error.message);
  }
}

export const scriptsRoutes: FastifyPluginAsyncTypebox<ScriptsRoutesOptions> = async (app, { scripts }) => {
  const tags = ["scripts"];

  app.get(
    "/scripts",
    {
      schema: {
        operationId: "listScripts",
        tags,
        summary: "The service scripts, by name",
        response: { 200: Type.Object({ items: Type.Array(ScriptItem) }), ...errorResponses(401) },
      },
    },
    async () => ({ items: (await scripts.list()).map(toScriptItem) }),
  );

  app.get(
    "/scripts/:name",
    {
      schema: {
        operationId: "getScript",
        tags,
        summary: "One script's source",
        params: NameParam,
        response: { 200: ScriptSourceItem, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => {
      const { name } = request.params;
      checkName(name);
      const script = await scripts.read(name);
      if (script === undefined) throw new NotFoundError("script", name);
      return { name, source: script.source };
    },
  );

  app.put(
    "/scripts/:name",
    {
      schema: {
        operationId: "saveScript",
        tags,
        summary: "Create or replace a script; saved only when it compiles (the next call runs it)",
        params: NameParam,
        body: SourceBody,
        response: {
          200: { ...ScriptItem, description: "Replaced." },
          201: { ...ScriptItem, description: "Created." },
          ...errorResponses(400, 401),
        },
      },
    },
    async (request, reply) => {
      const { name } = request.params;
      checkName(name);
      const existed = (await scripts.read(name)) !== undefined;
      const saved = await scripts.save(name, request.body.source);
      if (!saved.ok) throw scriptError(saved.error);
      const info = (await scripts.list()).find((s) => s.name === name);
      if (info === undefined) throw new NotFoundError("script", name);
      return reply.code(existed ? 200 : 201).send(toScriptItem(info));
    },
  );

  app.post(
    "/scripts/:name/check",
    {
      schema: {
        operationId: "checkScript",
        tags,
        summary: "Compile a script's source without saving it (a syntax error names its line)",
        params: NameParam,
        body: SourceBody,
        response: { 200: CheckResult, ...errorResponses(400, 401) },
      },
    },
    async (request) => {
      const { name } = request.params;
      checkName(name);
      const checked = await scripts.check(name, request.body.source);
      if (!checked.ok) throw scriptError(checked.error);
      return { name, ok: true as const };
    },
  );

  app.delete(
    "/scripts/:name",
    {
      schema: {
        operationId: "deleteScript",
        tags,
        summary: "Delete a script (a call already running it goes on with the text it started with)",
        params: NameParam,
        response: { 204: Type.Null({ description: "Deleted." }), ...errorResponses(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const { name } = request.params;
      checkName(name);
      if (!(await scripts.remove(name))) throw new NotFoundError("script", name);
      return reply.code(204).send(null);
    },
  );
};
