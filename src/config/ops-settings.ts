/**
 * Start-up settings that operators tune (issue 23 on): metrics, access logs, password policy and
 * the like. Part of the one settings table (settings.ts spreads it in), kept apart so settings.ts
 * stays one readable page. Add a key here together with its field in `OpsSettings`.
 */

export const opsSettingsTable = {} as const;

/** The typed values of `opsSettingsTable`, merged into `Settings`. */
// biome-ignore lint/suspicious/noEmptyInterface: filled in as operator settings are added
export interface OpsSettings {}
