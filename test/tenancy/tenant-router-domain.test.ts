/**
 * A tenant whose SIP domain changes (issue 21, tenant-router.ts): the tenant manager sets the new
 * domain on the running tenant, then adds it to the router again, so the tenant's `sipDomain`
 * already reads the new domain when the router forgets the old one. The old domain must stop
 * naming the tenant (it is anyone's, or the default tenant's, from then on).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type RoutedTenant, TenantRouter } from "../../src/tenancy/tenant-router.js";

function tenant(name: string, domain: { current: string }): RoutedTenant {
  return {
    name,
    get sipDomain() {
      return domain.current;
    },
    holdsTransaction: () => false,
    holdsDialog: () => false,
    ownsPeer: () => false,
    deliver: () => {},
  };
}

describe("tenant router, a tenant's domain changed", () => {
  it("forgets the old domain when the tenant is added again under its new one", () => {
    const router = new TenantRouter<RoutedTenant>(() => tenant("default", { current: "" }));
    const domain = { current: "a.test" };
    router.add(tenant("a", domain));
    domain.current = "a2.test";
    router.add(tenant("a", domain));
    assert.equal(router.forDomain("a2.test")?.name, "a");
    assert.equal(router.forDomain("a.test"), undefined);
  });

  it("keeps another tenant that took the old domain since when the first is removed", () => {
    const router = new TenantRouter<RoutedTenant>(() => tenant("default", { current: "" }));
    const a = { current: "a.test" };
    router.add(tenant("a", a));
    a.current = "a2.test";
    router.add(tenant("c", { current: "a.test" }));
    router.remove("a");
    assert.equal(router.forDomain("a.test")?.name, "c");
    assert.equal(router.forDomain("a2.test"), undefined);
  });
});
