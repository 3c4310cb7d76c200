/**
 * After a failed save, the page brings the first field in error into view and focuses it (issue
 * 23), so a long form (a user's forwarding rules, a line's proxy) never fails out of sight. Used by
 * FormFailure, which every form shows a failure with: each form gets it once, there.
 */
import { type RefObject, useEffect } from "react";

/** The controls that say they are in error (FieldInput sets aria-invalid, so do the pages' own). */
const INVALID = '[aria-invalid="true"]';

/**
 * When `failure` changes to a failure: the first control in error on the page of `banner` (in
 * document order) is scrolled to the middle of the screen and focused; with none (an error that
 * names no field), the banner itself is scrolled into view.
 */
export function useFirstErrorInView(banner: RefObject<HTMLElement | null>, failure: unknown): void {
  useEffect(() => {
    const from = banner.current;
    if (failure === undefined || from === null) return;
    const page = from.closest("section") ?? from.closest("form") ?? from.ownerDocument.body;
    const field = page.querySelector<HTMLElement>(INVALID);
    (field ?? from).scrollIntoView({ block: "center" });
    field?.focus({ preventScroll: true });
  }, [banner, failure]);
}
