/**
 * The API's one timestamp type (issue 23): ISO 8601 in UTC with its zone,
 * `2026-12-07T10:15:30.123Z`, in every payload. Rows keep epoch milliseconds in the store;
 * handlers convert at the boundary with isoTime / withIsoStamps (util/iso-time.ts). Imports
 * nothing but TypeBox, so the web UI's typecheck may reach it through schemas.ts.
 */
import { Type } from "typebox";

/** An ISO 8601 date-time with its zone, e.g. `2026-12-07T10:15:30.123Z`. */
export const Timestamp = (description?: string) =>
  Type.String({
    format: "date-time",
    description: description === undefined ? "ISO 8601, UTC." : `${description} ISO 8601, UTC.`,
  });

/** The creation and change times of a configured record. */
export const Stamps = () => ({
  createdAt: Timestamp("When it was created."),
  updatedAt: Timestamp("When it was last changed."),
});
