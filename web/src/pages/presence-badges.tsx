/**
 * A user's presence beside its state on the dashboard (issue 19): what a presence watcher (a
 * colleague's phone, an operator console) sees, from the live snapshot's `presence`. A badge for
 * do-not-disturb, for "unavailable" (a device published closed while registered), and for each
 * activity its devices published (away, in a meeting, ...); the note on a second line when a
 * person wrote it rather than Parley.
 */
import type { ReactNode } from "react";
import { type Translate, useI18n } from "../i18n";
import type { MessageKey } from "../i18n/en";
import { enPresence } from "../i18n/en-presence";
import type { LiveSnapshot } from "../lib/api-types";
import "./presence.css";

type Presence = NonNullable<LiveSnapshot["users"][number]["presence"]>;
type State = LiveSnapshot["users"][number]["state"];

/** The notes Parley composes itself (presence/presence-package.ts): the state badge says them already. */
const OWN_NOTES = new Set(["Online", "Offline", "On the phone", "Ringing", "Do not disturb"]);
const FORWARDED = /^Calls forwarded to (.+)$/;

/**
 * Activities the state badge already shows, or that say nothing: "on-the-phone" is the talking
 * state, "busy" with a closed status is do-not-disturb's own badge, "unknown" is RFC 4480's blank.
 */
function shownActivities(presence: Presence, dnd: boolean): string[] {
  return presence.activities.filter((a) => a !== "on-the-phone" && a !== "unknown" && !(dnd && a === "busy"));
}

function activityLabel(t: Translate, activity: string): string {
  const key = `presence.activity.${activity}`;
  // An activity we have no word for (a newer RFC's, a vendor's own) reads as its name.
  return key in enPresence ? t(key as MessageKey) : activity.replace(/-/g, " ");
}

/** The note to show, translated when it is Parley's forwarding note; undefined when the badges say it. */
function noteText(t: Translate, note: string): string | undefined {
  if (note === "" || OWN_NOTES.has(note)) return undefined;
  const forwarded = FORWARDED.exec(note);
  return forwarded ? t("presence.forwarded", { number: forwarded[1]! }) : note;
}

/** `kind` picks the look; `name` (dnd, closed or the activity) is for tests and styles. */
function Badge(props: { kind: string; name: string; children: ReactNode }) {
  return (
    <span className={`badge presence-${props.kind}`} data-presence={props.name}>
      <span className="dot" aria-hidden="true" />
      {props.children}
    </span>
  );
}

/** Nothing when the server reports no presence or there is nothing beyond the state to say. */
export function PresenceBadges(props: { presence: Presence | undefined; state: State; testId: string }) {
  const { t } = useI18n();
  const p = props.presence;
  if (p === undefined) return null;
  const dnd = !p.open && p.activities.includes("busy");
  // Closed while a device is registered: it asked to appear offline (an offline user is closed anyway).
  const closed = !p.open && !dnd && props.state !== "offline";
  const activities = shownActivities(p, dnd);
  const note = noteText(t, p.note);
  if (!dnd && !closed && activities.length === 0 && note === undefined) return null;
  return (
    // biome-ignore lint/a11y/useSemanticElements: a few badges in a table cell, not a form: a fieldset would announce form controls that are not there
    <div
      className="presence"
      role="group"
      data-testid={props.testId}
      aria-label={t("presence.label")}
      title={note}
    >
      {dnd || closed || activities.length > 0 ? (
        <span className="presence-badges">
          {dnd ? (
            <Badge kind="dnd" name="dnd">
              {t("presence.dnd")}
            </Badge>
          ) : null}
          {closed ? (
            <Badge kind="closed" name="closed">
              {t("presence.closed")}
            </Badge>
          ) : null}
          {activities.map((a) => (
            <Badge key={a} kind={a === "away" ? "away" : "activity"} name={a}>
              {activityLabel(t, a)}
            </Badge>
          ))}
        </span>
      ) : null}
      {note === undefined ? null : (
        <span className="presence-note muted" data-testid={`${props.testId}-note`}>
          {note}
        </span>
      )}
    </div>
  );
}
