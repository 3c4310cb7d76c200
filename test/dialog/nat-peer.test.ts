/** When a dialog's in-dialog requests go to where the peer's messages come from (NAT). */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { natPeer } from "../../src/dialog/dialog-init.js";

const observed = { protocol: "UDP" as const, address: "203.0.113.7", port: 40112 };

describe("natPeer", () => {
  it("a private Contact behind a NAT: the observed address", () => {
    assert.deepEqual(natPeer("sip:100@192.168.1.20:5060", [], observed), observed);
  });
  it("the port alone differs (a NAT keeping the address): the observed address", () => {
    assert.deepEqual(natPeer("sip:100@203.0.113.7", [], observed), observed);
  });
  it("a Contact that is where the messages come from: none", () => {
    assert.equal(natPeer("sip:100@203.0.113.7:40112", [], observed), undefined);
    assert.equal(natPeer("sip:100@203.0.113.7", [], { ...observed, port: 5060 }), undefined);
  });
  it("a proxy in the route set decides: none", () => {
    assert.equal(natPeer("sip:100@192.168.1.20", ["<sip:proxy.example;lr>"], observed), undefined);
  });
  it("a host name is left to the resolver; IPv6 literals compare unbracketed", () => {
    assert.equal(natPeer("sip:100@phone.example", [], observed), undefined);
    const v6 = { protocol: "UDP" as const, address: "2001:db8::7", port: 5060 };
    assert.equal(natPeer("sip:100@[2001:db8::7]", [], v6), undefined);
    assert.deepEqual(natPeer("sip:100@[fd00::5]", [], v6), v6);
  });
});
