/**
 * Busy lamps on park keys (issue 19: "park slots can be watched"): a phone's BLF key subscribes
 * to the dialog state of a park slot's code (`*70*5`, read by the feature code table as the
 * dialled number would be); the lamp is lit (a confirmed dialog with the parked party as the
 * remote identity) while a call is parked there, and pressing the key dials the code: retrieve.
 */
import type { UserDialog } from "../../call/call-control.js";
import type { FeatureCodeTable } from "../feature-codes.js";
import { PARK_SERVICE } from "./park.js";
import { PARK_SLOTS, type ParkingLot } from "./parking-lot.js";

export function parkLamps(
  features: FeatureCodeTable,
  lot: ParkingLot,
): {
  parkSlotOf: (resource: string) => number | undefined;
  parkedIn: (domainId: number, slot: number) => UserDialog | undefined;
} {
  return {
    parkSlotOf: (resource) => {
      const match = features.match(resource);
      if (match?.service !== PARK_SERVICE || !/^\d{1,2}$/.test(match.argument)) return undefined;
      const slot = Number(match.argument);
      return slot >= 1 && slot <= PARK_SLOTS ? slot : undefined;
    },
    parkedIn: (domainId, slot) => {
      const parked = lot.parkedIn(domainId, slot);
      return parked === undefined
        ? undefined
        : {
            id: parked.callId,
            state: "answered",
            direction: "recipient",
            remote: { domainId, user: parked.parked.user, displayName: parked.parked.displayName },
            startedAt: parked.parkedAt,
          };
    },
  };
}
