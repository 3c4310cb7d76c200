/**
 * Reused wasm function-table slots for the JS callbacks of one wasm module's Lua VMs (issue 18,
 * the script cost of `npm run bench`). Every VM registers about six JS callbacks with emscripten's
 * addFunction (wasmoon's allocator and its type extensions' __gc functions, our count hook) and
 * removes them when it closes. On Node 20 (no WebAssembly.Function) each addFunction compiles and
 * instantiates a one-function wasm module for the callback and sets a table entry: about a sixth
 * of a trivial script's run (a CPU profile of bench/script-route.sh). Here a removed slot keeps
 * its trampoline and goes to the next callback of the same signature: only a JS field changes.
 *
 * A slot's callback is never called after its removal (wasmoon removes a VM's callbacks after
 * lua_close); should it be, it answers 0 rather than reach the closed VM's closure.
 */
import type { LuaWasm } from "wasmoon";

type Callback = (...args: number[]) => unknown;

interface Slot {
  index: number;
  readonly signature: string;
  target: Callback;
}

const released: Callback = () => 0;

/** Makes `module.addFunction`/`removeFunction` reuse removed slots; returns how many exist. */
export function reuseFunctionSlots(module: LuaWasm["module"]): () => number {
  const add = module.addFunction.bind(module);
  const remove = module.removeFunction.bind(module);
  const free = new Map<string, Slot[]>();
  const live = new Map<number, Slot>();
  let made = 0;
  module.addFunction = (callback: Callback, signature = "") => {
    const reused = free.get(signature)?.pop();
    if (reused !== undefined) {
      reused.target = callback;
      live.set(reused.index, reused);
      return reused.index;
    }
    const slot: Slot = { index: 0, signature, target: callback };
    slot.index = add(trampoline(slot), signature);
    made++;
    live.set(slot.index, slot);
    return slot.index;
  };
  module.removeFunction = (index: number) => {
    const slot = live.get(index);
    if (slot === undefined) {
      remove(index);
      return;
    }
    live.delete(index);
    slot.target = released;
    const list = free.get(slot.signature);
    if (list === undefined) free.set(slot.signature, [slot]);
    else list.push(slot);
  };
  return () => made;
}

/**
 * The JS function the slot's wasm trampoline calls: as many parameters as its signature has (the
 * first letter is the result), so the allocator's many calls pay no argument adaptation.
 */
function trampoline(slot: Slot): Callback {
  switch (slot.signature.length - 1) {
    case 0:
      return () => slot.target();
    case 1:
      return (a) => slot.target(a);
    case 2:
      return (a, b) => slot.target(a, b);
    case 3:
      return (a, b, c) => slot.target(a, b, c);
    case 4:
      return (a, b, c, d) => slot.target(a, b, c, d);
    default:
      return (...args) => slot.target(...args);
  }
}
