/**
 * /api/v1/prompts and /api/v1/music: the voice prompts (per language) and the music-on-hold
 * tracks, listened to, replaced by an uploaded WAV and restored (issue 14). An upload is the raw
 * WAV as the request body; the prompt library converts 8/16 kHz PCM or G.711 to Parley's 8 kHz
 * mu-law and refuses anything else with a message naming what it got, answered here as a 400.
 */
import { readFile } from "node:fs/promises";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyReply } from "fastify";
import { type Static, Type } from "typebox";
import {
  isPromptLanguage,
  isPromptName,
  LANGUAGES,
  type PromptLanguage,
  promptText,
} from "../../media/prompts/catalogue.js";
import { ApiError, ErrorBody, errorResponses } from "../errors.js";

/** What an upload result is: the library's converted duration, or why it refused the file. */
export type UploadResult = { ok: true; durationMs: number } | { ok: false; error: string };

/** The prompt library as the API uses it (media/prompts/prompt-library.ts implements it). */
export interface PromptsView {
  list(lang?: PromptLanguage): Array<Static<typeof PromptItem>>;
  path(name: string, lang: PromptLanguage): string | undefined;
  replace(name: string, lang: PromptLanguage, bytes: Uint8Array): UploadResult;
  /** false when the prompt was not replaced. */
  restore(name: string, lang: PromptLanguage): boolean;
  musicPath(name?: string): string | undefined;
  listMusic(): Array<Static<typeof MusicItem>>;
  addMusic(name: string, bytes: Uint8Array): UploadResult;
  /** false when there was no uploaded track of this name. */
  removeMusic(name: string): boolean;
}

export interface PromptsRoutesOptions {
  prompts: PromptsView;
}

/** The largest upload (as media/audio/wav.ts's MAX_WAV_BYTES): about 26 minutes of 16 kHz stereo. */
export const MAX_UPLOAD_BYTES = 50 * 1024 * 1024;

/** The content types an upload may carry; each is read as the raw bytes of the file. */
export const UPLOAD_TYPES = ["audio/wav", "audio/x-wav", "audio/wave", "application/octet-stream"];

const Lang = Type.Enum(LANGUAGES, { description: "The prompt's language." });

export const PromptItem = Type.Object({
  name: Type.String({ description: "The prompt's name in the catalogue (`enter-extension`)." }),
  lang: Lang,
  text: Type.String({ description: "What the shipped prompt says." }),
  replaced: Type.Boolean({ description: "An administrator's upload plays instead of the shipped file." }),
  durationMs: Type.Integer({ description: "Length of what plays now." }),
});
export const PromptList = Type.Object({ items: Type.Array(PromptItem) });
export const PromptReplaced = Type.Object({
  name: Type.String(),
  lang: Lang,
  durationMs: Type.Integer({ description: "Length of the converted upload." }),
  replaced: Type.Literal(true),
});

export const MusicItem = Type.Object({
  name: Type.String({ description: 'The track\'s name; "default" is what hold plays.' }),
  shipped: Type.Boolean({ description: "Shipped with Parley (false: an administrator's upload)." }),
  durationMs: Type.Integer(),
});
export const MusicList = Type.Object({ items: Type.Array(MusicItem) });

const PromptQuery = Type.Object({ lang: Type.Optional(Lang) });
const PromptParams = Type.Object({
  // A plain string, not the enum: an unknown language is a resource not found (404), not bad input.
  lang: Type.String({ description: `The language: ${LANGUAGES.join(", ")}.` }),
  name: Type.String({ description: "The prompt's name." }),
});
const MusicName = Type.Object({
  name: Type.String({ pattern: "^[a-z0-9-]{1,40}$", description: "1-40 of a-z, 0-9, '-'." }),
});

/** The raw file; `contentEncoding: binary` becomes `format: binary` in the OpenAPI document. */
export const WavBody = Type.Unsafe<Buffer>({
  contentEncoding: "binary",
  description: `A WAV file (at most 50 MB): 16-bit PCM, G.711 mu-law or A-law, 8 or 16 kHz, mono or stereo. Content-Type: ${UPLOAD_TYPES.join(", ")}.`,
});
export const wavResponse = (description: string) => ({
  description,
  content: { "audio/wav": { schema: Type.Unsafe<Buffer>({ contentEncoding: "binary" }) } },
});
const tooLarge = Type.Object(ErrorBody.properties, { description: "`payload_too_large`: over 50 MB." });
const wrongType = Type.Object(ErrorBody.properties, {
  description: `\`unsupported_media_type\`: the Content-Type is not one of ${UPLOAD_TYPES.join(", ")}.`,
});
export const uploadErrors = { ...errorResponses(400, 401, 404), 413: tooLarge, 415: wrongType };

/** A prompt of the catalogue (the one list of names, media/prompts/catalogue.ts), or a 404 naming it. */
function catalogued(lang: string, name: string): { name: string; lang: PromptLanguage } {
  if (!isPromptLanguage(lang))
    throw new ApiError("not_found", `no prompts in language "${lang}" (there are: ${LANGUAGES.join(", ")})`);
  if (!isPromptName(name) || promptText(name, lang) === undefined)
    throw new ApiError("not_found", `no prompt "${name}" in language "${lang}"`);
  return { name, lang };
}

/** The body as the upload parser left it; JSON or text was parsed by another parser: refused. */
export function upload(body: unknown): Buffer {
  if (Buffer.isBuffer(body)) return body;
  throw new ApiError("unsupported_media_type", `send the WAV file as the body with Content-Type audio/wav`);
}

export async function sendWav(reply: FastifyReply, path: string): Promise<FastifyReply> {
  // The same URL answers new bytes after an upload: never cached.
  return reply
    .type("audio/wav")
    .header("cache-control", "no-store")
    .send(await readFile(path));
}

export const promptsRoutes: FastifyPluginAsyncTypebox<PromptsRoutesOptions> = async (app, { prompts }) => {
  // Encapsulated in this plugin: the other routes keep answering 415 to a non-JSON body.
  app.addContentTypeParser(
    UPLOAD_TYPES,
    { parseAs: "buffer", bodyLimit: MAX_UPLOAD_BYTES },
    (_req, body, done) => done(null, body),
  );

  app.get(
    "/prompts",
    {
      schema: {
        operationId: "listPrompts",
        tags: ["prompts"],
        summary: "The voice prompts, of one language or all, with what each says and whether it is replaced",
        querystring: PromptQuery,
        response: { 200: PromptList, ...errorResponses(400, 401) },
      },
    },
    async (request) => ({ items: prompts.list(request.query.lang) }),
  );

  app.get(
    "/prompts/:lang/:name/audio",
    {
      schema: {
        operationId: "getPromptAudio",
        tags: ["prompts"],
        summary: "The WAV that plays for a prompt now (8 kHz mu-law)",
        params: PromptParams,
        response: { 200: wavResponse("The prompt's WAV."), ...errorResponses(401, 404) },
      },
    },
    async (request, reply) => {
      const { lang, name } = request.params;
      const item = catalogued(lang, name);
      const path = prompts.path(item.name, item.lang);
      if (path === undefined) throw new ApiError("not_found", `prompt "${name}" (${lang}) has no file`);
      return sendWav(reply, path);
    },
  );

  app.put(
    "/prompts/:lang/:name",
    {
      bodyLimit: MAX_UPLOAD_BYTES,
      schema: {
        operationId: "replacePrompt",
        tags: ["prompts"],
        summary: "Replace a prompt with an uploaded WAV (converted to 8 kHz mu-law)",
        description:
          "The body is the WAV file itself. A file that is not a WAV Parley can convert is refused " +
          'with 400 `bad_request` and a message naming what it is ("unsupported WAV: 44100 Hz; …").',
        consumes: UPLOAD_TYPES,
        params: PromptParams,
        body: WavBody,
        response: { 200: PromptReplaced, ...uploadErrors },
      },
    },
    async (request) => {
      const { lang, name } = request.params;
      const item = catalogued(lang, name);
      const result = prompts.replace(item.name, item.lang, upload(request.body));
      if (!result.ok) throw new ApiError("bad_request", result.error);
      return { name: item.name, lang: item.lang, durationMs: result.durationMs, replaced: true as const };
    },
  );

  app.delete(
    "/prompts/:lang/:name",
    {
      schema: {
        operationId: "restorePrompt",
        tags: ["prompts"],
        summary: "Remove a prompt's replacement: the shipped prompt plays again",
        params: PromptParams,
        response: { 204: Type.Null({ description: "Restored." }), ...errorResponses(401, 404) },
      },
    },
    async (request, reply) => {
      const { lang, name } = request.params;
      const item = catalogued(lang, name);
      if (!prompts.restore(item.name, item.lang))
        throw new ApiError("not_found", `prompt "${name}" (${lang}) is not replaced`);
      return reply.code(204).send(null);
    },
  );

  app.get(
    "/music",
    {
      schema: {
        operationId: "listMusic",
        tags: ["prompts"],
        summary: "The music-on-hold tracks, shipped and uploaded",
        response: { 200: MusicList, ...errorResponses(401) },
      },
    },
    async () => ({ items: prompts.listMusic() }),
  );

  app.get(
    "/music/:name/audio",
    {
      schema: {
        operationId: "getMusicAudio",
        tags: ["prompts"],
        summary: "A music-on-hold track's WAV (8 kHz mu-law)",
        params: MusicName,
        response: { 200: wavResponse("The track's WAV."), ...errorResponses(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const { name } = request.params;
      const path = prompts.listMusic().some((m) => m.name === name) ? prompts.musicPath(name) : undefined;
      if (path === undefined) throw new ApiError("not_found", `no music-on-hold track "${name}"`);
      return sendWav(reply, path);
    },
  );

  app.put(
    "/music/:name",
    {
      bodyLimit: MAX_UPLOAD_BYTES,
      schema: {
        operationId: "uploadMusic",
        tags: ["prompts"],
        summary: "Add or replace a music-on-hold track from an uploaded WAV",
        description:
          'The body is the WAV file itself. "default" replaces the shipped track (what hold plays); ' +
          "deleting it brings the shipped one back.",
        consumes: UPLOAD_TYPES,
        params: MusicName,
        body: WavBody,
        response: { 200: MusicItem, ...uploadErrors },
      },
    },
    async (request) => {
      const { name } = request.params;
      const result = prompts.addMusic(name, upload(request.body));
      if (!result.ok) throw new ApiError("bad_request", result.error);
      return { name, shipped: false, durationMs: result.durationMs };
    },
  );

  app.delete(
    "/music/:name",
    {
      schema: {
        operationId: "deleteMusic",
        tags: ["prompts"],
        summary: "Delete an uploaded track (an uploaded default: the shipped one plays again)",
        params: MusicName,
        response: { 204: Type.Null({ description: "Deleted." }), ...errorResponses(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const { name } = request.params;
      if (!prompts.removeMusic(name))
        throw new ApiError("not_found", `no uploaded music-on-hold track "${name}"`);
      return reply.code(204).send(null);
    },
  );
};
