/**
 * The registrations as the REST API shows them (composition root): the location service's live
 * bindings, listed (optionally for one user) and removed by id.
 */
import type { LiveRegistration, RegistrationsView } from "./api/types.js";
import type { LiveBinding, LocationService } from "./registrar/location-service.js";

export function registrationsView(location: LocationService): RegistrationsView {
  return {
    list: (filter) =>
      location
        .all()
        .filter((b) => filter?.user === undefined || b.user === filter.user)
        .map(toRegistration),
    remove: async (id) => location.removeById(id),
  };
}

function toRegistration(b: LiveBinding): LiveRegistration {
  return {
    id: b.id,
    domainId: b.domainId,
    user: b.user,
    contact: b.contactUri,
    transport: b.transport,
    sourceAddress: b.sourceAddress,
    sourcePort: b.sourcePort,
    expiresAt: b.expiresAt,
    userAgent: b.userAgent,
    instanceId: b.instanceId,
    q: b.q,
    path: b.path,
  };
}
