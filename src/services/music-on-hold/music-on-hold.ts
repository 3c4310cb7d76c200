/**
 * Music on hold (FEATURES.md section 6: "when a phone holds, the other party hears music if
 * enabled"; issue 15): when a local user whose `musicOnHold` is on holds a call (RFC 3264
 * sendonly or inactive, or the old c=0.0.0.0), the held party hears the system's music-on-hold
 * track (`prompts/moh/default.wav`, or the administrator's upload named "default") from Parley,
 * anchored for the hold only; on resume the media is end to end again (src/call/hold-music.ts).
 */
import type { AnchoredHold, HoldLegAddresses, HoldMusicProvider } from "../../call/hold-music.js";
import type { CallParty } from "../../call/types.js";
import type { MediaServer } from "../../media/media-server.js";
import type { LocalUser } from "../../store/user-model.js";

export interface MusicOnHoldUsers {
  lookup(domainId: number, name: string): Promise<{ readonly user: LocalUser } | undefined>;
}

export function musicOnHold(users: MusicOnHoldUsers, media: MediaServer): HoldMusicProvider {
  return {
    async start(
      holder: CallParty,
      holderOffer: Buffer,
      legs?: HoldLegAddresses,
    ): Promise<AnchoredHold | undefined> {
      const entry = await users.lookup(holder.domainId, holder.user);
      if (entry?.user.musicOnHold !== true) return undefined;
      return media.holdMusic(holderOffer, "default", legs);
    },
  };
}
