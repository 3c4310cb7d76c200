/**
 * /api/v1/system-settings (issue 23): every setting with its value in use and where it comes from
 * (default, config file, environment, flag, or "runtime": set here or in the web UI). The run-time
 * ones (out-group prefix, default no-answer time, prompt language, media relay mode, CDR CSV
 * folder, SMTP) are changed by PATCH, stored, and apply to the next call without a restart; the
 * others are shown read-only and apply at the next start. Secrets are never answered: `isSet`
 * says whether one is set. GET /api/v1/settings stays as it was (the values only).
 */
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { RUNTIME_KEYS } from "../../config/live-settings.js";
import { errorResponses } from "../errors.js";
import type { SystemSettingsView } from "../types.js";

export interface SystemSettingsRoutesOptions {
  settings: SystemSettingsView;
}

export const SystemSetting = Type.Object({
  key: Type.String({ description: "The setting's key: config-file key; flag and PARLEY_* variable alike." }),
  value: Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Array(Type.String()), Type.Null()], {
    description: "The value in use; null for a secret or an optional setting that is not set.",
  }),
  source: Type.Enum(["default", "file", "environment", "flag", "runtime"], {
    description: '"runtime": set through this API or the web UI (stored; overrides the start-up value).',
  }),
  startupSource: Type.String({
    description:
      'The start-up value\'s source in words: "flag --sip-port", "environment PARLEY_…", "default".',
  }),
  runtime: Type.Boolean({ description: "Changed by PATCH, without restart; otherwise start-up only." }),
  secret: Type.Boolean({ description: "Never shown; `isSet` says whether it is set." }),
  isSet: Type.Optional(Type.Boolean()),
});

const List = Type.Object({ items: Type.Array(SystemSetting) });

const value = Type.Union([Type.String(), Type.Number(), Type.Null()]);
const Patch = Type.Object(Object.fromEntries(RUNTIME_KEYS.map((key) => [key, Type.Optional(value)])), {
  additionalProperties: true,
  description:
    "Run-time settings to change: a value sets it (validated by the start-up rules; each bad key is " +
    "named in `errors`), null returns it to its start-up value. A start-up-only key is refused, named.",
});

export const systemSettingsRoutes: FastifyPluginAsyncTypebox<SystemSettingsRoutesOptions> = async (
  app,
  { settings },
) => {
  app.get(
    "/system-settings",
    {
      schema: {
        operationId: "listSystemSettings",
        tags: ["status"],
        summary: "Every setting: its value in use, its source, whether it changes at run time",
        response: { 200: List, ...errorResponses(401) },
      },
    },
    async () => ({ items: settings.list() }),
  );

  app.patch(
    "/system-settings",
    {
      schema: {
        operationId: "updateSystemSettings",
        tags: ["status"],
        summary: "Change run-time settings (stored; the next call uses them, no restart)",
        body: Patch,
        response: { 200: List, ...errorResponses(400, 401) },
      },
    },
    async (request) => ({ items: await settings.update(request.body) }),
  );
};
