/**
 * A room of the media server's mixer shared by the parties of one service call (a retrieved
 * parked call, an operator's break-in, a second device joining): each party's media endpoint
 * joins it, everyone hears everyone else (no join tones: this is a call, not a conference), and
 * when a party leaves and only one is left, that one is hung up: nobody is left to talk to.
 */
import type { MediaEndpoint } from "../../call/media-endpoint.js";
import type { MediaServer } from "../../media/media-server.js";
import type { MediaScriptContext } from "../../media/sip-media-endpoint.js";

interface Member {
  readonly hangup: () => void;
  /** Who the party is, for `hangUp` (a side an operator oversteps). */
  readonly key: string | undefined;
}

export class SharedRoom {
  private readonly members = new Set<Member>();
  private closed = false;

  constructor(
    readonly name: string,
    private readonly media: MediaServer,
    /** The room is over (its last party left). */
    private readonly onEmpty: () => void = () => {},
  ) {}

  /** How many parties are in the room now. */
  get size(): number {
    return this.members.size;
  }

  /** An endpoint whose party joins the room for as long as it stays; `key` names the party. */
  endpoint(peer: string, key?: string): MediaEndpoint {
    return this.media.sipEndpoint(peer, (context) => this.stay(context, key), { room: this.name });
  }

  /** Hangs up the party `key` names (true when it was in the room). */
  hangUp(key: string): boolean {
    for (const member of this.members)
      if (member.key === key) {
        member.hangup();
        return true;
      }
    return false;
  }

  /**
   * Inside an endpoint's script (one opened with `{ room: name }`, so it lives on the room's
   * worker): joins the room and returns when this party leaves it.
   */
  async stay({ endpoint, hangup, ended }: MediaScriptContext, key?: string): Promise<void> {
    if (ended || this.closed) return;
    const member: Member = { hangup, key };
    this.members.add(member);
    try {
      await endpoint.conference(this.name, { tones: false });
    } finally {
      this.members.delete(member);
      this.left();
    }
  }

  /** Hangs every party up. */
  close(): void {
    this.closed = true;
    for (const member of [...this.members]) member.hangup();
  }

  private left(): void {
    if (this.members.size === 1) {
      const [last] = this.members;
      last?.hangup();
      return;
    }
    if (this.members.size === 0 && !this.closed) {
      this.closed = true;
      this.onEmpty();
    }
  }
}
