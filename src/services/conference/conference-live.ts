/**
 * The conference rooms in use now, per domain and room number, with their members (issue 17: the
 * live view shows rooms, members and talkers, and lets the administrator mute or remove a
 * member). A room exists while someone is in it, configured or ad hoc. Each member is a caller's
 * media endpoint in the mixer's room; whether it talks comes from the mixer (EndpointHandle's
 * talking events), muting goes to it (EndpointHandle.participant), removing hangs the caller up.
 */
import type { EndpointHandle } from "../../media/endpoint-handle.js";

/** A member as the API and the web UI show it. */
export interface ConferenceMemberView {
  readonly id: string;
  readonly user: string;
  readonly displayName: string;
  /** Epoch ms when it entered the room (before the PIN and the prompts). */
  readonly since: number;
  readonly muted: boolean;
  readonly talking: boolean;
  readonly moderator: boolean;
  /** In the mixer now (false while it enters its PIN, hears the prompts or waits for a moderator). */
  readonly joined: boolean;
}

export interface ConferenceRoomView {
  readonly number: string;
  readonly members: readonly ConferenceMemberView[];
}

/** One caller in a room, from its arrival until its call ends. */
export class ConferenceMember {
  muted = false;
  moderator = false;
  /** In the mixer (after the PIN, the prompts and any wait for a moderator). */
  joined = false;
  private stopTalking: (() => void) | undefined;

  constructor(
    readonly id: string,
    readonly user: string,
    readonly displayName: string,
    readonly since: number,
    readonly endpoint: EndpointHandle,
    /** Ends the member's call (Parley sends BYE). */
    readonly hangup: () => void,
    private readonly onChange: () => void,
  ) {
    this.stopTalking = endpoint.onTalking(() => onChange());
  }

  get talking(): boolean {
    return this.joined && this.endpoint.talking;
  }

  /** Mutes or unmutes what it says; applied to the mixer at once when it is in it. */
  async setMuted(muted: boolean): Promise<void> {
    this.muted = muted;
    this.onChange();
    if (this.joined) await this.endpoint.participant({ muted });
  }

  forget(): void {
    this.stopTalking?.();
    this.stopTalking = undefined;
  }

  view(): ConferenceMemberView {
    return {
      id: this.id,
      user: this.user,
      displayName: this.displayName,
      since: this.since,
      muted: this.muted,
      talking: this.talking,
      moderator: this.moderator,
      joined: this.joined,
    };
  }
}

/** Every domain's rooms in use. */
export class LiveConferences {
  private readonly rooms = new Map<string, Map<string, ConferenceMember>>();
  /** Woken when a moderator joins a room (members waiting for one start talking). */
  private readonly moderatorWaiters = new Map<string, Set<() => void>>();
  private nextId = 1;

  constructor(private readonly onChange: () => void = () => {}) {}

  /** The mixer's name of a room: rooms of different domains (tenants) never meet. */
  static key(domainId: number, number: string): string {
    return `${domainId}:${number}`;
  }

  /** A caller arrives in a room (not yet in the mixer). */
  arrive(
    domainId: number,
    number: string,
    who: { user: string; displayName: string },
    endpoint: EndpointHandle,
    hangup: () => void,
    now: number,
  ): ConferenceMember {
    const key = LiveConferences.key(domainId, number);
    const members = this.rooms.get(key) ?? new Map<string, ConferenceMember>();
    this.rooms.set(key, members);
    const member = new ConferenceMember(
      String(this.nextId++),
      who.user,
      who.displayName,
      now,
      endpoint,
      hangup,
      this.onChange,
    );
    members.set(member.id, member);
    this.onChange();
    return member;
  }

  /** A member's call ended: it leaves; the room ends with its last member. */
  leave(domainId: number, number: string, member: ConferenceMember): void {
    const key = LiveConferences.key(domainId, number);
    const members = this.rooms.get(key);
    member.forget();
    if (members?.get(member.id) !== member) return;
    members.delete(member.id);
    if (members.size === 0) {
      this.rooms.delete(key);
      this.moderatorWaiters.delete(key);
    }
    this.onChange();
  }

  /** Members in the mixer, or about to enter it (counted against the room's maximum). */
  count(domainId: number, number: string): number {
    return this.rooms.get(LiveConferences.key(domainId, number))?.size ?? 0;
  }

  /** Members in the mixer now. */
  joinedCount(domainId: number, number: string): number {
    let n = 0;
    for (const m of this.rooms.get(LiveConferences.key(domainId, number))?.values() ?? []) if (m.joined) n++;
    return n;
  }

  hasModerator(domainId: number, number: string): boolean {
    for (const m of this.rooms.get(LiveConferences.key(domainId, number))?.values() ?? [])
      if (m.joined && m.moderator) return true;
    return false;
  }

  /** The member is in the mixer now. */
  joined(domainId: number, number: string, member: ConferenceMember): void {
    member.joined = true;
    this.onChange();
    if (member.moderator) {
      const key = LiveConferences.key(domainId, number);
      const waiters = this.moderatorWaiters.get(key);
      this.moderatorWaiters.delete(key);
      for (const wake of waiters ?? []) wake();
    }
  }

  /** Resolves when a moderator is in the room (at once if one is). */
  untilModerator(domainId: number, number: string): { promise: Promise<void>; cancel: () => void } {
    if (this.hasModerator(domainId, number)) return { promise: Promise.resolve(), cancel: () => {} };
    const key = LiveConferences.key(domainId, number);
    const waiters = this.moderatorWaiters.get(key) ?? new Set<() => void>();
    this.moderatorWaiters.set(key, waiters);
    let wake: () => void = () => {};
    const promise = new Promise<void>((resolve) => {
      wake = resolve;
    });
    waiters.add(wake);
    return { promise, cancel: () => waiters.delete(wake) };
  }

  /** A domain's rooms in use, by number, each with its members in order of arrival. */
  list(domainId: number): ConferenceRoomView[] {
    const prefix = `${domainId}:`;
    const views: ConferenceRoomView[] = [];
    for (const [key, members] of this.rooms)
      if (key.startsWith(prefix))
        views.push({ number: key.slice(prefix.length), members: [...members.values()].map((m) => m.view()) });
    return views.sort((a, b) => compareNumbers(a.number, b.number));
  }

  /** A room's members, or undefined when nobody is in it. */
  members(domainId: number, number: string): ConferenceMemberView[] | undefined {
    const members = this.rooms.get(LiveConferences.key(domainId, number));
    return members === undefined ? undefined : [...members.values()].map((m) => m.view());
  }

  member(domainId: number, number: string, id: string): ConferenceMember | undefined {
    return this.rooms.get(LiveConferences.key(domainId, number))?.get(id);
  }

  /** Mutes or unmutes a member; false when it is not in the room. */
  async mute(domainId: number, number: string, id: string, muted: boolean): Promise<boolean> {
    const member = this.member(domainId, number, id);
    if (member === undefined) return false;
    await member.setMuted(muted);
    return true;
  }

  /** Hangs a member up; false when it is not in the room. */
  remove(domainId: number, number: string, id: string): boolean {
    const member = this.member(domainId, number, id);
    if (member === undefined) return false;
    member.hangup();
    return true;
  }
}

/** Room numbers in numeric order ("9" before "10"), then as text. */
function compareNumbers(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
