/**
 * The API's bearer token: the configured one (the `apiToken` setting, which PARLEY_API_TOKEN and
 * --api-token feed) wins; else the one stored in `<dataDir>/api-token`; else a new random one is
 * generated and stored there (mode 0600), and the caller prints it once.
 */
import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "../util/logger.js";

export const TOKEN_FILE_NAME = "api-token";
const MIN_STORED_LENGTH = 16;

export interface ApiTokenOptions {
  /** settings.apiToken. */
  configured: string | undefined;
  dataDir: string;
  log?: Logger;
}

export interface ApiToken {
  token: string;
  /** Where it came from: the settings, the data dir file, or generated now into that file. */
  source: "configured" | "file" | "generated";
  /** True when it was generated now: print it once, it is not shown again. */
  generated: boolean;
  /** The token file, when the token lives in one. */
  file?: string;
}

function readStored(file: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  const token = text.trim();
  return token.length >= MIN_STORED_LENGTH ? token : undefined;
}

export function resolveApiToken(options: ApiTokenOptions): ApiToken {
  if (options.configured !== undefined && options.configured !== "") {
    return { token: options.configured, source: "configured", generated: false };
  }
  const file = join(options.dataDir, TOKEN_FILE_NAME);
  const stored = readStored(file);
  if (stored !== undefined) return { token: stored, source: "file", generated: false, file };
  if (options.log) options.log.info({ file }, "no API token configured: generating one");
  const token = randomBytes(32).toString("base64url");
  mkdirSync(options.dataDir, { recursive: true });
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  // The mode of writeFileSync applies only to a new file (and through the umask): make sure.
  chmodSync(file, 0o600);
  return { token, source: "generated", generated: true, file };
}
