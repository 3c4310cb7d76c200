/**
 * Serves the admin web UI (built by Vite from web/ into dist/web, which ships with the package) at
 * `/` on the API's HTTP port. Hashed assets are cached for a year; index.html is revalidated, so a
 * new version is picked up on the next load. The page talks only to the public REST API.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance } from "fastify";

/**
 * Content Security Policy of the UI: its own scripts and styles only, no inline script, API calls
 * to the same origin, audio only from there or from blob: URLs (the prompts page plays the WAVs it
 * fetched with its token), never framed.
 */
export const UI_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/** dist/web beside dist/api when compiled; ../../dist/web when run from src/ through tsx. */
export function webRoot(): string | undefined {
  for (const relative of ["../web/", "../../dist/web/"]) {
    const dir = fileURLToPath(new URL(relative, import.meta.url));
    if (existsSync(`${dir}index.html`)) return dir;
  }
  return undefined;
}

export async function serveWebUi(app: FastifyInstance, root = webRoot()): Promise<void> {
  if (root === undefined) {
    app.log.warn("the admin web UI is not built (npm run build): / answers 404");
    return;
  }
  await app.register(fastifyStatic, {
    root,
    prefix: "/",
    index: ["index.html"],
    wildcard: false,
    setHeaders: (res, path) => {
      res.header("x-content-type-options", "nosniff");
      if (path.endsWith(".html")) {
        res.header("cache-control", "no-cache");
        res.header("content-security-policy", UI_CSP);
        res.header("referrer-policy", "no-referrer");
      } else if (path.includes("/assets/")) {
        res.header("cache-control", "public, max-age=31536000, immutable");
      }
    },
  });
}
