// Reads a running Node process's heap from the outside through its inspector (the process is
// started with --inspect=127.0.0.1:PORT): forces a full garbage collection, then prints
// process.memoryUsage() as JSON. No endpoint is added to the server for this.
// Usage: node --experimental-websocket bench/heap-probe.mjs <inspector port>
const port = process.argv[2];
const list = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
const ws = new WebSocket(list[0].webSocketDebuggerUrl);
await new Promise((resolve, reject) => {
  ws.onopen = resolve;
  ws.onerror = reject;
});
let id = 0;
const pending = new Map();
ws.onmessage = (ev) => {
  const msg = JSON.parse(ev.data);
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
process.stdout.write(`${r.result.result.value}\n`);
ws.close();
process.exit(0);
