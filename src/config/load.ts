/** Reads the optional JSON config file named by --config or PARLEY_CONFIG. */
import { readFileSync } from "node:fs";
import { SettingsError } from "./settings.js";

export function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new SettingsError(`cannot read config file ${path}: ${(err as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new SettingsError(`config file ${path} is not valid JSON: ${(err as Error).message}`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new SettingsError(`config file ${path} must hold a JSON object of settings`);
  }
  return value as Record<string, unknown>;
}
