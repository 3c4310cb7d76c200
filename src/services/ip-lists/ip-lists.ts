/**
 * The IP black and white list (issue 16; FEATURES.md section 6): addresses or CIDR ranges, IPv4
 * or IPv6, that Parley accepts or rejects.
 * - reject: every datagram and connection from the address is dropped before parsing (the
 *   transport asks `rejects()`); the sender gets no answer at all.
 * - accept: trusted; the brute-force defence never bans the address (the ban list asks
 *   `accepts()`), while every other check (digest authentication, call rights) still applies.
 * An address in both an accept and a reject range is rejected: dropping is the safer reading.
 *
 * The server's domain's entries are held here as matchers and rebuilt on every change made
 * through this object (the API), so a change applies to the next packet without a restart.
 */
import {
  type IpListEntry,
  type IpListPatch,
  IpMatcher,
  type ListRepository,
  type NewIpListEntry,
  NotFoundError,
} from "../../store/index.js";

export interface IpListsOptions {
  readonly repository: ListRepository;
  /** The domain whose entries apply (the transport sees packets before any domain is known). */
  readonly domainId: number;
}

const NONE = new IpMatcher([]);

export class IpLists {
  private accepted = NONE;
  private rejected = NONE;
  private entries: IpListEntry[] = [];

  constructor(private readonly o: IpListsOptions) {}

  /** Reads the entries from the store and applies them. */
  async load(): Promise<void> {
    this.apply(await this.o.repository.ipEntries(this.o.domainId));
  }

  /** Drop everything from this address (the transport's source filter). */
  readonly rejects = (address: string): boolean => this.rejected.matches(address);

  /** Never ban this address (the ban list's trusted sources). */
  readonly accepts = (address: string): boolean => this.accepted.matches(address);

  list(): IpListEntry[] {
    return this.entries;
  }

  async create(input: NewIpListEntry): Promise<IpListEntry> {
    return this.changed(this.o.repository.createIpEntry(this.o.domainId, input));
  }

  async update(id: number, patch: IpListPatch): Promise<IpListEntry> {
    return this.changed(this.o.repository.updateIpEntry(this.o.domainId, id, patch));
  }

  /** Throws NotFoundError when there is no such entry. */
  async remove(id: number): Promise<void> {
    const existed = await this.changed(this.o.repository.deleteIpEntry(this.o.domainId, id));
    if (!existed) throw new NotFoundError("IP list entry", String(id));
  }

  /** A write, then the entries are read again and applied (even when the write failed). */
  private async changed<T>(write: Promise<T>): Promise<T> {
    try {
      return await write;
    } finally {
      await this.load();
    }
  }

  private apply(entries: IpListEntry[]): void {
    this.entries = entries;
    this.accepted = new IpMatcher(entries.filter((e) => e.kind === "accept").map((e) => e.address));
    this.rejected = new IpMatcher(entries.filter((e) => e.kind === "reject").map((e) => e.address));
  }
}
