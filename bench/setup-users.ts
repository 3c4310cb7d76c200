/**
 * Creates the benchmark users 1000..1999 (password = name) in a data dir's store, as the
 * Kamailio anchor benchmark has them (bench/kamailio/setup_db.sh). Usage:
 *   node --import tsx bench/setup-users.ts <data-dir>
 */
import { storeFromUrl } from "../src/store/index.js";

const dataDir = process.argv[2];
if (!dataDir) {
  process.stderr.write("usage: setup-users.ts <data-dir>\n");
  process.exit(2);
}
const store = await storeFromUrl(undefined, dataDir);
await store.migrate();
const domain = await store.domains.getDefault();
let created = 0;
for (let u = 1000; u <= 1999; u++) {
  const name = String(u);
  if (await store.users.get(domain.id, name)) continue;
  await store.users.create(domain.id, { name, password: name });
  created++;
}
await store.close();
process.stdout.write(`bench users ready (${created} created)\n`);
