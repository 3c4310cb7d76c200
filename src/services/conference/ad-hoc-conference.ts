/**
 * Ad-hoc audio conference rooms (FEATURES.md section 6, "Conference room: `*6*room*password#`"):
 * whoever dials `*6*<room>#` joins that room; everyone in it hears everyone else (the media
 * worker's mix-minus), with a tone when someone joins or leaves. Rooms exist while someone is in
 * them. Configured rooms with PINs and moderators build on this (issue 17); a room number
 * followed by `*password` is accepted and the password ignored until rooms are configured.
 */
import type { DetectionPointTable } from "../../call/detection-points.js";
import type { MediaServer } from "../../media/media-server.js";
import type { FeatureCodeTable } from "../feature-codes.js";

/** `*6*room#`: the code, then `*` and the room. */
export const CONFERENCE_CODE = "*6";

/** The room a dialled argument names: the digits before an optional `*password`. */
export function roomOf(argument: string): string | undefined {
  const room = argument.split("*")[0];
  return /^[0-9]{1,10}$/.test(room) ? room : undefined;
}

/** The conference's feature code alone (feature-code-catalogue.ts lists it with no media). */
export function addConferenceCode(features: FeatureCodeTable, code = CONFERENCE_CODE): () => void {
  return features.add(code, "conference", {
    argument: true,
    suffix: "*",
    description: "Conference room: *room# (everyone who dials the same room talks together)",
  });
}

export function registerAdHocConference(
  points: DetectionPointTable,
  features: FeatureCodeTable,
  media: MediaServer,
  code = CONFERENCE_CODE,
): () => void {
  const removals = [
    points.service("conference", (context) => {
      const room = roomOf(context.argument);
      if (room === undefined) return { kind: "refuse", code: "not-found" };
      // Rooms of different domains (tenants) never meet.
      const key = `${context.caller.domainId}:${room}`;
      return {
        kind: "endpoint",
        target: {
          party: {
            domainId: context.caller.domainId,
            user: context.number,
            displayName: `Conference ${room}`,
          },
          endpoint: media.sipEndpoint(
            `parley:conference:${room}`,
            async ({ endpoint }) => {
              await endpoint.conference(key);
            },
            { room: key },
          ),
        },
      };
    }),
    addConferenceCode(features, code),
  ];
  return () => {
    for (const remove of removals) remove();
  };
}
