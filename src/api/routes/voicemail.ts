/**
 * /api/v1/voicemail and /api/v1/users/{name}/greeting (issue 15: "messages are listed, played in
 * the browser and deleted in the web UI and the API"; "a mail that cannot be sent is retried with
 * back-off and reported in the UI"). Every change goes through the Mailboxes service, so MWI and
 * the live view hear of it as they do of a deposit. A greeting upload is converted like a prompt
 * upload (media/audio/wav.ts importAudio) and refused with a 400 naming what the file is.
 */
import { unlink, writeFile } from "node:fs/promises";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { importAudio } from "../../media/audio/wav.js";
import { type Store, VOICEMAIL_FOLDERS, type VoicemailMessage } from "../../store/index.js";
import { ApiError, errorResponses } from "../errors.js";
import { UserName } from "../schemas.js";
import type { VoicemailDeps } from "../types.js";
import {
  MAX_UPLOAD_BYTES,
  sendWav,
  UPLOAD_TYPES,
  upload,
  uploadErrors,
  WavBody,
  wavResponse,
} from "./prompts.js";

export interface VoicemailRoutesOptions {
  store: Store;
  domainId: number;
  voicemail: VoicemailDeps;
}

const Folder = Type.Enum(VOICEMAIL_FOLDERS, {
  description: '"new" until listened to or saved, then "old" (MWI counts both, RFC 3842).',
});

export const VoicemailItem = Type.Object({
  id: Type.Integer({ minimum: 1 }),
  mailbox: Type.String({ description: "The user whose mailbox holds the message." }),
  caller: Type.String({ description: "The caller's number, as the call presented it." }),
  callerName: Type.String({ description: 'The caller\'s display name; "" when none.' }),
  receivedAt: Type.String({ format: "date-time" }),
  durationMs: Type.Integer({ minimum: 0 }),
  folder: Folder,
  callId: Type.String({ description: "The id of the call that left it (its call record's)." }),
});
export const VoicemailList = Type.Object({
  items: Type.Array(VoicemailItem, { description: "Newest first." }),
});

const VoicemailQuery = Type.Object({
  user: Type.Optional(Type.String({ description: "Only this user's mailbox." })),
  folder: Type.Optional(Folder),
});
const VoicemailId = Type.Object({ id: Type.Integer({ minimum: 1, description: "The message's id." }) });
const VoicemailPatch = Type.Object({ folder: Folder }, { additionalProperties: false });

export const OutboxItem = Type.Object({
  id: Type.String(),
  to: Type.String({ description: "The user's e-mail address." }),
  subject: Type.String(),
  state: Type.Enum(["queued", "sent"], { description: "Waiting for (another) attempt, or sent." }),
  attempts: Type.Integer({
    minimum: 0,
    description: "Failed attempts so far (waiting while no SMTP server is set counts none).",
  }),
  lastError: Type.Optional(Type.String({ description: "Why the last attempt failed." })),
  nextAttemptAt: Type.Optional(Type.String({ format: "date-time", description: "While queued." })),
  sentAt: Type.Optional(Type.String({ format: "date-time" })),
});
export const OutboxList = Type.Object({
  items: Type.Array(OutboxItem, { description: "Queued mails (oldest first), then recently sent ones." }),
});

export const GreetingSaved = Type.Object({
  user: Type.String(),
  durationMs: Type.Integer({ minimum: 0, description: "Length of the converted upload." }),
});

const iso = (ms: number) => new Date(ms).toISOString();

function item(m: VoicemailMessage) {
  return {
    id: m.id,
    mailbox: m.mailbox,
    caller: m.caller,
    callerName: m.callerName,
    receivedAt: iso(m.receivedAt),
    durationMs: m.durationMs,
    folder: m.folder,
    callId: m.callId,
  };
}

export const voicemailRoutes: FastifyPluginAsyncTypebox<VoicemailRoutesOptions> = async (
  app,
  { store, domainId, voicemail },
) => {
  const { mailboxes, outbox } = voicemail;
  // Encapsulated in this plugin, as in prompts.ts: the other routes keep refusing a non-JSON body.
  app.addContentTypeParser(
    UPLOAD_TYPES,
    { parseAs: "buffer", bodyLimit: MAX_UPLOAD_BYTES },
    (_req, body, done) => done(null, body),
  );

  const noMessage = (id: number) => new ApiError("not_found", `no voice message ${id}`);
  async function message(id: number): Promise<VoicemailMessage> {
    const found = await mailboxes.get(domainId, id);
    if (!found) throw noMessage(id);
    return found;
  }
  async function existingUser(name: string): Promise<string> {
    if (!(await store.users.get(domainId, name))) throw new ApiError("not_found", `user "${name}" not found`);
    return name;
  }

  app.get(
    "/voicemail",
    {
      schema: {
        operationId: "listVoicemail",
        tags: ["voicemail"],
        summary: "Voice messages, newest first: every mailbox's or one user's, optionally of one folder",
        querystring: VoicemailQuery,
        response: { 200: VoicemailList, ...errorResponses(400, 401) },
      },
    },
    async (request) => {
      const { user, folder } = request.query;
      const messages = await mailboxes.list(domainId, user);
      const chosen = folder === undefined ? messages : messages.filter((m) => m.folder === folder);
      return { items: chosen.reverse().map(item) };
    },
  );

  app.get(
    "/voicemail/outbox",
    {
      schema: {
        operationId: "listVoicemailOutbox",
        tags: ["voicemail"],
        summary: "The mail outbox: voice messages waiting to be mailed (with the last error) and those sent",
        response: { 200: OutboxList, ...errorResponses(401) },
      },
    },
    async () => ({
      items: outbox.list().map((mail) => ({
        id: mail.id,
        to: mail.to,
        subject: mail.subject,
        state: mail.sentAt === undefined ? ("queued" as const) : ("sent" as const),
        attempts: mail.attempts,
        lastError: mail.lastError,
        nextAttemptAt: mail.sentAt === undefined ? iso(mail.nextAttemptAt) : undefined,
        sentAt: mail.sentAt === undefined ? undefined : iso(mail.sentAt),
      })),
    }),
  );

  app.get(
    "/voicemail/:id",
    {
      schema: {
        operationId: "getVoicemail",
        tags: ["voicemail"],
        summary: "One voice message",
        params: VoicemailId,
        response: { 200: VoicemailItem, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => item(await message(request.params.id)),
  );

  app.get(
    "/voicemail/:id/audio",
    {
      schema: {
        operationId: "getVoicemailAudio",
        tags: ["voicemail"],
        summary: "A voice message's WAV (it stays in its folder: mark it old with PATCH)",
        params: VoicemailId,
        response: { 200: wavResponse("The message's WAV."), ...errorResponses(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const found = await message(request.params.id);
      try {
        return await sendWav(reply, mailboxes.audioPath(found));
      } catch {
        throw new ApiError("not_found", `voice message ${found.id} has no audio file`);
      }
    },
  );

  app.patch(
    "/voicemail/:id",
    {
      schema: {
        operationId: "updateVoicemail",
        tags: ["voicemail"],
        summary: "Move a voice message to the new or old folder (MWI follows)",
        params: VoicemailId,
        body: VoicemailPatch,
        response: { 200: VoicemailItem, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => {
      const { id } = request.params;
      if (!(await mailboxes.setFolder(domainId, id, request.body.folder))) throw noMessage(id);
      return item(await message(id));
    },
  );

  app.delete(
    "/voicemail/:id",
    {
      schema: {
        operationId: "deleteVoicemail",
        tags: ["voicemail"],
        summary: "Delete a voice message and its audio (MWI follows; a mail still queued is still sent)",
        params: VoicemailId,
        response: { 204: Type.Null({ description: "Deleted." }), ...errorResponses(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      if (!(await mailboxes.delete(domainId, id))) throw noMessage(id);
      return reply.code(204).send(null);
    },
  );

  app.get(
    "/users/:name/greeting",
    {
      schema: {
        operationId: "getGreeting",
        tags: ["voicemail"],
        summary: "The greeting a user recorded (8 kHz mu-law WAV); 404 when the system greeting plays",
        params: UserName,
        response: { 200: wavResponse("The greeting's WAV."), ...errorResponses(401, 404) },
      },
    },
    async (request, reply) => {
      const name = await existingUser(request.params.name);
      if (!(await mailboxes.hasGreeting(domainId, name)))
        throw new ApiError("not_found", `user "${name}" has no recorded greeting`);
      return sendWav(reply, mailboxes.greetingPath(domainId, name));
    },
  );

  app.put(
    "/users/:name/greeting",
    {
      bodyLimit: MAX_UPLOAD_BYTES,
      schema: {
        operationId: "uploadGreeting",
        tags: ["voicemail"],
        summary: "Replace a user's voicemail greeting with an uploaded WAV (converted to 8 kHz mu-law)",
        description:
          "The body is the WAV file itself. A file Parley cannot convert is refused with 400 " +
          '`validation` naming the field `body` and what the file is ("unsupported WAV: 44100 Hz; …").',
        consumes: UPLOAD_TYPES,
        params: UserName,
        body: WavBody,
        response: { 200: GreetingSaved, ...uploadErrors },
      },
    },
    async (request) => {
      const name = await existingUser(request.params.name);
      const converted = importAudio(upload(request.body));
      if (!converted.ok) {
        throw new ApiError("validation", `invalid greeting: ${converted.error}`, [
          { field: "body", message: converted.error },
        ]);
      }
      const file = await mailboxes.temporaryFile();
      try {
        await writeFile(file, converted.wav);
        await mailboxes.saveGreeting(domainId, name, file);
      } catch (error) {
        await unlink(file).catch(() => {});
        throw error;
      }
      return { user: name, durationMs: converted.durationMs };
    },
  );

  app.delete(
    "/users/:name/greeting",
    {
      schema: {
        operationId: "deleteGreeting",
        tags: ["voicemail"],
        summary: "Delete a user's recorded greeting: callers hear the system greeting again",
        params: UserName,
        response: { 204: Type.Null({ description: "Deleted." }), ...errorResponses(401, 404) },
      },
    },
    async (request, reply) => {
      const name = await existingUser(request.params.name);
      if (!(await mailboxes.deleteGreeting(domainId, name)))
        throw new ApiError("not_found", `user "${name}" has no recorded greeting`);
      return reply.code(204).send(null);
    },
  );
};
