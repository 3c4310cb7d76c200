/**
 * The SIP password policy in the UI (issue 23): the rule the user form shows (GET
 * /password-policy's minimum length), and the dashboard's warning naming the users whose password
 * still equals their extension number (the preset users 100, 101, 102 until changed).
 */
import { useEffect, useState } from "react";
import type { Static } from "typebox";
import type { PasswordPolicy as PasswordPolicySchema } from "../../../src/api/routes/password-policy";
import { useI18n } from "../i18n";
import { api } from "../lib/api";

export type PasswordPolicy = Static<typeof PasswordPolicySchema>;

/** The policy, read again whenever `refresh` changes (the live view's snapshot); undefined until read. */
export function usePasswordPolicy(refresh?: unknown): PasswordPolicy | undefined {
  const [policy, setPolicy] = useState<PasswordPolicy>();
  // biome-ignore lint/correctness/useExhaustiveDependencies: `refresh` is the signal to read again
  useEffect(() => {
    let current = true;
    api.get<PasswordPolicy>("/password-policy").then(
      (p) => {
        if (current) setPolicy(p);
      },
      // A server without the policy's route (an older one) shows no rule and no warning.
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [refresh]);
  return policy;
}

/** The dashboard's warning: the users whose password equals their extension number, each a link. */
export function WeakPasswords(props: { refresh: unknown }) {
  const { t } = useI18n();
  const weak = usePasswordPolicy(props.refresh)?.weakUsers ?? [];
  if (weak.length === 0) return null;
  return (
    <div className="banner error" role="alert" data-testid="weak-passwords">
      <p>{t("dashboard.weakPasswords")}</p>
      <ul>
        {weak.map((name) => (
          <li key={name}>
            <a href={`#/users/${encodeURIComponent(name)}`} data-testid={`weak-password-${name}`}>
              {name}
            </a>
          </li>
        ))}
      </ul>
    </div>
  );
}
