/**
 * TypedEmitter (src/dialog/typed-emitter.ts): listeners run in the order added, once() runs once,
 * off() removes one registration, a change made during an emit takes effect from the next emit,
 * and a listener that throws neither stops the others nor reaches the emitter's caller. The
 * listeners live in one array per emitter made on the first on() (issue 13: heap per call).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TypedEmitter } from "../../src/dialog/typed-emitter.js";

interface Events {
  a: number;
  b: string;
}

function emitter(errors: unknown[] = []): TypedEmitter<Events> {
  return new TypedEmitter<Events>((error) => errors.push(error));
}

describe("TypedEmitter", () => {
  it("emit() with no listener does nothing", () => {
    const e = emitter();
    e.emit("a", 1);
  });

  it("emit() calls the listeners of that event only, in the order added", () => {
    const e = emitter();
    const seen: string[] = [];
    e.on("a", (n) => seen.push(`a1:${n}`));
    e.on("b", (s) => seen.push(`b:${s}`));
    e.on("a", (n) => seen.push(`a2:${n}`));
    e.emit("a", 7);
    e.emit("b", "x");
    assert.deepEqual(seen, ["a1:7", "a2:7", "b:x"]);
  });

  it("once() runs its listener for the first emit only", () => {
    const e = emitter();
    const seen: number[] = [];
    e.once("a", (n) => seen.push(n));
    e.emit("a", 1);
    e.emit("a", 2);
    assert.deepEqual(seen, [1]);
  });

  it("the function on() returns removes that listener; off() removes one registration of it", () => {
    const e = emitter();
    const seen: string[] = [];
    const f = (n: number): void => {
      seen.push(`f${n}`);
    };
    const remove = e.on("a", (n) => seen.push(`g${n}`));
    e.on("a", f);
    e.on("a", f);
    e.on("b", () => seen.push("b"));
    remove();
    e.off("a", f);
    e.emit("a", 1);
    e.emit("b", "");
    assert.deepEqual(seen, ["f1", "b"]);
    e.off("a", f);
    e.off("a", f);
    e.emit("a", 2);
    assert.deepEqual(seen, ["f1", "b"]);
  });

  it("a listener removed or added during an emit takes effect from the next emit", () => {
    const e = emitter();
    const seen: string[] = [];
    let removeSecond = (): void => {};
    e.on("a", (n) => {
      seen.push(`first${n}`);
      removeSecond();
      e.on("a", (m) => seen.push(`added${m}`));
    });
    removeSecond = e.on("a", (n) => seen.push(`second${n}`));
    e.emit("a", 1);
    assert.deepEqual(seen, ["first1", "second1"]);
    e.emit("a", 2);
    assert.deepEqual(seen, ["first1", "second1", "first2", "added2"]);
  });

  it("a listener that throws goes to onListenerError and the next listeners still run", () => {
    const errors: unknown[] = [];
    const e = emitter(errors);
    const seen: number[] = [];
    const boom = new Error("boom");
    e.on("a", () => {
      throw boom;
    });
    e.on("a", (n) => seen.push(n));
    e.emit("a", 3);
    assert.deepEqual(seen, [3]);
    assert.deepEqual(errors, [boom]);
  });

  it("removeAllListeners() leaves no listener", () => {
    const e = emitter();
    const seen: number[] = [];
    e.on("a", (n) => seen.push(n));
    e.removeAllListeners();
    e.emit("a", 1);
    e.on("a", (n) => seen.push(n + 10));
    e.emit("a", 2);
    assert.deepEqual(seen, [12]);
  });
});
