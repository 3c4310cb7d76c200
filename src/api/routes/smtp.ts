/**
 * /api/v1/smtp: the system SMTP server that mails voice messages (issue 15; FEATURES.md section 1:
 * host, port, TLS, user, password, sender). The password is write-only: it is taken by PUT and
 * never answered, GET says only whether one is set. Saved settings take precedence over the
 * start-up ones (flags, PARLEY_SMTP_*, config file); DELETE forgets them. The outbox reads the
 * settings at every attempt, so a fix here delivers the mails already waiting.
 */
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { errorResponses } from "../errors.js";
import type { SmtpSettingsView } from "../types.js";

export interface SmtpRoutesOptions {
  smtp: SmtpSettingsView;
}

const Security = Type.Enum(["none", "starttls", "tls"], {
  description:
    '"tls": implicit TLS (port 465); "starttls": plain, then STARTTLS, required; "none": never TLS.',
});

export const Smtp = Type.Object({
  host: Type.String({ description: '"" = no SMTP server: mails wait in the outbox.' }),
  port: Type.Integer({ minimum: 1, maximum: 65_535 }),
  security: Security,
  user: Type.String({ description: '"" = no authentication.' }),
  passwordSet: Type.Boolean({ description: "A password is set (it is never shown)." }),
  from: Type.String({ description: 'The sender, e.g. "PBX <pbx@example.com>".' }),
  source: Type.Enum(["saved", "startup", "none"], {
    description: '"saved": set through the API or web UI; "startup": from the start-up settings; "none".',
  }),
});

export const SmtpPatch = Type.Object(
  {
    host: Type.Optional(Type.String({ maxLength: 253, description: 'A host name or address; "" = none.' })),
    port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65_535 })),
    security: Type.Optional(Security),
    user: Type.Optional(Type.String({ maxLength: 256 })),
    password: Type.Optional(
      Type.String({ maxLength: 256, description: 'Write-only. Omitted: kept; "" clears it.' }),
    ),
    from: Type.Optional(Type.String({ maxLength: 320 })),
  },
  { additionalProperties: false },
);

export const smtpRoutes: FastifyPluginAsyncTypebox<SmtpRoutesOptions> = async (app, { smtp }) => {
  app.get(
    "/smtp",
    {
      schema: {
        operationId: "getSmtp",
        tags: ["voicemail"],
        summary: "The SMTP settings in use (without the password) and where they come from",
        response: { 200: Smtp, ...errorResponses(401) },
      },
    },
    async () => smtp.view(),
  );

  app.put(
    "/smtp",
    {
      schema: {
        operationId: "updateSmtp",
        tags: ["voicemail"],
        summary: "Change SMTP settings: the fields given replace those in use, and all are saved",
        description:
          "Each bad field is named in `errors` (`host`, `from`, …). Saved settings take precedence " +
          "over the start-up ones until DELETE /smtp.",
        body: SmtpPatch,
        response: { 200: Smtp, ...errorResponses(400, 401) },
      },
    },
    async (request) => smtp.update(request.body),
  );

  app.delete(
    "/smtp",
    {
      schema: {
        operationId: "resetSmtp",
        tags: ["voicemail"],
        summary: "Forget the saved SMTP settings: the start-up settings apply again",
        response: { 200: Smtp, ...errorResponses(401) },
      },
    },
    async () => smtp.reset(),
  );
};
