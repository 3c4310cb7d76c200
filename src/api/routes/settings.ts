/** GET /api/v1/settings: the effective start-up settings, secrets left out (read-only). */
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { errorResponses } from "../errors.js";

export type SettingValue = string | number | boolean | string[] | null;

export interface SettingsRoutesOptions {
  settings: () => Record<string, SettingValue>;
}

/** Settings never shown; a database URL is shown without its password. */
const SECRET = new Set(["apiToken", "adminPassword", "smtpPassword", "metricsToken"]);

export function publicSettings(all: Record<string, unknown>): Record<string, SettingValue> {
  const out: Record<string, SettingValue> = {};
  for (const [key, value] of Object.entries(all)) {
    if (SECRET.has(key)) continue;
    if (value === undefined) out[key] = null;
    else if (key === "databaseUrl" && typeof value === "string") out[key] = withoutPassword(value);
    else if (Array.isArray(value)) out[key] = value.map(String);
    else if (typeof value === "string" || typeof value === "number" || typeof value === "boolean")
      out[key] = value;
    else out[key] = String(value);
  }
  return out;
}

function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== "") parsed.password = "***";
    return parsed.toString();
  } catch {
    return "***";
  }
}

export const settingsRoutes: FastifyPluginAsyncTypebox<SettingsRoutesOptions> = async (app, { settings }) => {
  app.get(
    "/settings",
    {
      schema: {
        operationId: "getSettings",
        tags: ["status"],
        summary:
          "The effective start-up settings (flags, PARLEY_* environment, config file); secrets left out",
        response: {
          200: Type.Object({
            items: Type.Record(
              Type.String(),
              Type.Union([
                Type.String(),
                Type.Number(),
                Type.Boolean(),
                Type.Array(Type.String()),
                Type.Null(),
              ]),
            ),
          }),
          ...errorResponses(401),
        },
      },
    },
    async () => ({ items: settings() }),
  );
};
