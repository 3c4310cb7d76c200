// Reads a running Node process's heap from the outside through its inspector (the process is
// started with --inspect=127.0.0.1:PORT): forces a full garbage collection, then prints
// process.memoryUsage() as JSON. No endpoint is added to the server for this. With a file name,
// also writes a heap snapshot there (open it in Chrome DevTools, Memory tab) after that GC.
// Usage: node --experimental-websocket bench/heap-probe.mjs <inspector port> [snapshot file]
import { createWriteStream } from "node:fs";

const port = process.argv[2];
const snapshotFile = process.argv[3];
const list = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
const ws = new WebSocket(list[0].webSocketDebuggerUrl);
await new Promise((resolve, reject) => {
  ws.onopen = resolve;
  ws.onerror = reject;
});
let id = 0;
const pending = new Map();
const snapshot = snapshotFile === undefined ? undefined : createWriteStream(snapshotFile);
ws.onmessage = (ev) => {
  const msg = JSON.parse(ev.data);
  if (msg.method === "HeapProfiler.addHeapSnapshotChunk") snapshot?.write(msg.params.chunk);
  if (msg.id !== undefined && pending.has(msg.id)) {
    pending.get(msg.id)(msg);
    pending.delete(msg.id);
  }
};
const send = (method, params = {}) =>
  new Promise((resolve) => {
    const n = ++id;
    pending.set(n, resolve);
    ws.send(JSON.stringify({ id: n, method, params }));
  });
await send("HeapProfiler.collectGarbage");
const r = await send("Runtime.evaluate", {
  expression: "JSON.stringify(process.memoryUsage())",
  returnByValue: true,
});
if (snapshot !== undefined) {
  await send("HeapProfiler.takeHeapSnapshot", { reportProgress: false });
  await new Promise((resolve) => snapshot.end(resolve));
}
process.stdout.write(`${r.result.result.value}\n`);
ws.close();
process.exit(0);
