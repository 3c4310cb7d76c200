/**
 * A tenant's view of the persistent registrations (issue 21): the store keeps every tenant's in
 * one table; a tenant's location service reloads only its own at start.
 */
import type { BindingRepository } from "../store/binding-model.js";

export function domainBindings(all: BindingRepository, domainId: number): BindingRepository {
  return {
    upsert: (binding) => all.upsert(binding),
    refreshAll: (bindings) => all.refreshAll(bindings),
    remove: (id, user, contactUri) => all.remove(id, user, contactUri),
    removeAllForUser: (id, user) => all.removeAllForUser(id, user),
    listActive: async (nowMs) => (await all.listActive(nowMs)).filter((b) => b.domainId === domainId),
    purgeExpired: (nowMs) => all.purgeExpired(nowMs),
  };
}
