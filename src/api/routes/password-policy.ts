/**
 * /api/v1/password-policy (issue 23): the SIP password rules new and changed passwords must meet
 * (the web UI's user form shows them) and the users whose password is still weak (equal to their
 * extension number: the preset users 100, 101, 102 until changed), which the dashboard warns of.
 */
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import type { Store } from "../../store/index.js";
import {
  DEFAULT_MIN_PASSWORD_LENGTH,
  minLengthRule,
  NOT_EXTENSION_RULE,
  weakPasswordUsers,
} from "../../store/password-policy.js";
import { errorResponses } from "../errors.js";

export const PasswordPolicy = Type.Object(
  {
    minLength: Type.Integer({ minimum: 1, description: "Fewest characters of a new or changed password." }),
    rules: Type.Array(Type.String(), {
      description: 'The rules in words, as a refusal names them ("must be at least 8 characters").',
    }),
    weakUsers: Type.Array(Type.String(), {
      description: "Users whose password equals their extension number (change it).",
    }),
  },
  { description: "The SIP password policy of local users." },
);

/** The effective settings' minPasswordLength (read on each request); 8 without settings. */
export function minPasswordLengthOf(settings: (() => Record<string, unknown>) | undefined): number {
  const value = settings?.().minPasswordLength;
  return typeof value === "number" && Number.isInteger(value) && value > 0
    ? value
    : DEFAULT_MIN_PASSWORD_LENGTH;
}

export interface PasswordPolicyRoutesOptions {
  store: Store;
  domainId: number;
  minPasswordLength: () => number;
}

export const passwordPolicyRoutes: FastifyPluginAsyncTypebox<PasswordPolicyRoutesOptions> = async (
  app,
  { store, domainId, minPasswordLength },
) => {
  app.get(
    "/password-policy",
    {
      schema: {
        operationId: "getPasswordPolicy",
        tags: ["users"],
        summary: "The SIP password rules, and the users whose password is weak",
        response: { 200: PasswordPolicy, ...errorResponses(401) },
      },
    },
    async () => {
      const minLength = minPasswordLength();
      return {
        minLength,
        rules: [minLengthRule(minLength), NOT_EXTENSION_RULE],
        weakUsers: await weakPasswordUsers(store.db, domainId),
      };
    },
  );
};
