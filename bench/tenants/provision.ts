/**
 * Provisions a running Parley for bench/tenants.sh through its REST API (issue 21), and writes the
 * sipp -inf file of the phones it made (`user;domain;[authentication username=.. password=..]`).
 *   provision.ts tenants <http-port> <api-token> <count> <users-each> <csv>
 *     POST /api/v1/tenants for t000, t001, ... (domain tNNN.bench, no own ports), each with its
 *     users 1000, 1001, ... preset; PROVISION_FROM=k starts at t<k>. The CSV interleaves the tenants (user 1000
 *     of every tenant, then 1001 of every tenant, ...), so consecutive REGISTERs name different ones.
 *   provision.ts users <http-port> <api-token> <count> <domain> <csv>
 *     POST /api/v1/users for 1000, 1001, ... in the default tenant; the CSV names `domain`.
 * Every password is `<name>-secret` (the password policy refuses one equal to the extension).
 * Prints one JSON line: what was made and how long it took.
 */
import { writeFile } from "node:fs/promises";

const [mode, port, token, countArg, fourth, csv] = process.argv.slice(2);
if ((mode !== "tenants" && mode !== "users") || !port || !token || !countArg || !fourth || !csv) {
  process.stderr.write(
    "usage: provision.ts tenants <http-port> <token> <count> <users-each> <csv>\n" +
      "       provision.ts users <http-port> <token> <count> <domain> <csv>\n",
  );
  process.exit(2);
}
const count = Number(countArg);
const base = `http://127.0.0.1:${port}/api/v1`;
const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };

async function post(path: string, body: unknown): Promise<void> {
  const res = await fetch(`${base}${path}`, { method: "POST", headers, body: JSON.stringify(body) });
  if (res.status !== 201) throw new Error(`POST ${path}: ${res.status} ${(await res.text()).slice(0, 300)}`);
  await res.arrayBuffer();
}

/** Runs `task(0..n-1)` with at most `width` in flight. */
async function pool(n: number, width: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < n) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(width, n) }, worker));
}

const secret = (name: string) => `${name}-secret`;
const auth = (user: string, password: string) => `[authentication username=${user} password=${password}]`;
const started = performance.now();
const lines = ["SEQUENTIAL"];
if (mode === "tenants") {
  const each = Number(fourth);
  const names = Array.from({ length: each }, (_, i) => String(1000 + i));
  const tenant = (i: number) => `t${String(i).padStart(3, "0")}`;
  // PROVISION_FROM=k makes t<k>..t<count-1> only (a Parley that has the first k already).
  const from = Number(process.env.PROVISION_FROM ?? 0);
  // One at a time: each creation writes its users in the store's one writer anyway.
  await pool(count - from, Number(process.env.PROVISION_WIDTH ?? 1), (j) => {
    const i = from + j;
    return post("/tenants", {
      name: tenant(i),
      domain: `${tenant(i)}.bench`,
      admin: { password: `${tenant(i)}-admin-password` },
      users: names.map((name) => ({ name, password: secret(name) })),
    });
  });
  for (const name of names)
    for (let i = from; i < count; i++) lines.push(`${name};${tenant(i)}.bench;${auth(name, secret(name))}`);
} else {
  const domain = fourth;
  await pool(count, Number(process.env.PROVISION_WIDTH ?? 8), (i) =>
    post("/users", { name: String(1000 + i), password: secret(String(1000 + i)) }),
  );
  for (let i = 0; i < count; i++) {
    const name = String(1000 + i);
    lines.push(`${name};${domain};${auth(name, secret(name))}`);
  }
}
await writeFile(csv, `${lines.join("\n")}\n`);
const seconds = (performance.now() - started) / 1000;
process.stdout.write(
  `${JSON.stringify({ mode, count, phones: lines.length - 1, seconds: +seconds.toFixed(1) })}\n`,
);
