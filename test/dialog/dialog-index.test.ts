/**
 * DialogIndex (src/dialog/dialog-index.ts): dialogs are found by their whole dialog ID (RFC 3261
 * 12: Call-ID, local tag, remote tag), also when several share a Call-ID (the early dialogs of a
 * forked INVITE, RFC 3261 12.1.2); a dialog with the same ID replaces the one indexed; removing
 * one leaves the others.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DialogIndex } from "../../src/dialog/dialog-index.js";
import type { DialogId } from "../../src/dialog/types.js";

const id = (callId: string, localTag: string, remoteTag: string): DialogId => ({
  callId,
  localTag,
  remoteTag,
});

describe("DialogIndex", () => {
  it("find() matches the Call-ID and both tags", () => {
    const index = new DialogIndex<DialogId>();
    const d = id("c1", "l", "r");
    index.add(d);
    assert.equal(index.find("c1", "l", "r"), d);
    assert.equal(index.find("c1", "r", "l"), undefined);
    assert.equal(index.find("c1", "l", "other"), undefined);
    assert.equal(index.find("c2", "l", "r"), undefined);
    assert.equal(index.size, 1);
  });

  it("keeps several dialogs of one Call-ID apart (forking) and removes them one by one", () => {
    const index = new DialogIndex<DialogId>();
    const a = id("c", "l", "ra");
    const b = id("c", "l", "rb");
    const c = id("c", "l", "rc");
    index.add(a);
    index.add(b);
    index.add(c);
    assert.equal(index.size, 3);
    assert.equal(index.find("c", "l", "rb"), b);
    index.remove(b);
    assert.equal(index.find("c", "l", "rb"), undefined);
    assert.equal(index.find("c", "l", "ra"), a);
    assert.equal(index.find("c", "l", "rc"), c);
    index.remove(a);
    index.remove(a);
    assert.equal(index.size, 1);
    assert.deepEqual(index.all(), [c]);
    index.remove(c);
    assert.equal(index.size, 0);
    assert.deepEqual(index.all(), []);
  });

  it("add() of a dialog with an indexed ID replaces it; remove() of the replaced one does nothing", () => {
    const index = new DialogIndex<DialogId>();
    const old = id("c", "l", "r");
    const other = id("c", "l", "x");
    const fresh = id("c", "l", "r");
    index.add(old);
    index.add(fresh);
    assert.equal(index.size, 1);
    assert.equal(index.find("c", "l", "r"), fresh);
    index.remove(old);
    assert.equal(index.find("c", "l", "r"), fresh);
    index.add(other);
    const newer = id("c", "l", "x");
    index.add(newer);
    assert.equal(index.size, 2);
    assert.equal(index.find("c", "l", "x"), newer);
    index.remove(other);
    assert.equal(index.size, 2);
  });
});
