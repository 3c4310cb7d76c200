/**
 * A user's presence in the API (issue 19, "the web UI's dashboard shows presence"): what a
 * presence watcher's PIDF says (RFC 3863 basic status, RFC 4480 activities, note), in the live
 * snapshot's users and in GET /users. The web UI imports this schema's type for its badges, so
 * this file imports nothing but TypeBox (types.ts would bring the call engine into its typecheck):
 * the parameters below are types.ts's UserPresence and PresenceView, structurally.
 */
import { type Static, Type } from "typebox";

export const UserPresenceItem = Type.Object(
  {
    open: Type.Boolean({ description: "The PIDF basic status: open (reachable) or closed." }),
    activities: Type.Array(Type.String(), {
      description:
        'RPID activities (RFC 4480), e.g. "busy" (with open false: do-not-disturb), "away", "meeting", "on-the-phone".',
    }),
    note: Type.String({
      description:
        'The note a watcher reads: Parley\'s own ("Online", "On the phone", "Do not disturb", ...) or the one a device published.',
    }),
  },
  { description: "What a presence watcher of the user sees now." },
);
export type UserPresenceItemType = Static<typeof UserPresenceItem>;

type Composed = { readonly open: boolean; readonly activities: readonly string[]; readonly note: string };

export function presenceItem(p: Composed): UserPresenceItemType {
  return { open: p.open, activities: [...p.activities], note: p.note };
}

/** Every named user's presence, in the names' order. */
export async function presenceOfUsers(
  view: { presenceOf(domainId: number, user: string): Promise<Composed> },
  domainId: number,
  names: readonly string[],
): Promise<UserPresenceItemType[]> {
  // presenceOf reads memory and the users' cache (only an expired entry costs a query), so all at once.
  return Promise.all(names.map(async (name) => presenceItem(await view.presenceOf(domainId, name))));
}
