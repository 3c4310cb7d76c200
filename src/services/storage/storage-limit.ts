/** What the voicemail and recording services ask of a tenant's storage limit (issue 21). */
export interface StorageLimit {
  /** True when new messages and recordings must be refused. */
  full(): boolean;
  /** Something was stored: the sum is taken again. */
  stored(): void;
}
