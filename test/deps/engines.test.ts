/**
 * Issue 23, dependencies: Parley says Node 20 (package.json `engines`), so no package the lock
 * installs may declare an `engines.node` range that excludes the Node 20 running the tests (a lock
 * once pulled `cookie` and `content-disposition` versions declaring Node >= 22, and `npm ci` warned
 * EBADENGINE). Checked against the lock's entries and against each installed package.json, with the
 * `semver` package npm itself uses (in the lock through the dependencies).
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, it } from "node:test";

const root = join(import.meta.dirname, "..", "..");
const semver = createRequire(import.meta.url)("semver") as {
  satisfies(version: string, range: string, options?: { includePrerelease?: boolean }): boolean;
  validRange(range: string): string | null;
};

interface LockEntry {
  version?: string;
  engines?: Record<string, string> | string[];
  optional?: boolean;
  os?: string[];
  cpu?: string[];
}

function lockPackages(): Array<[string, LockEntry]> {
  const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8")) as {
    packages: Record<string, LockEntry>;
  };
  return Object.entries(lock.packages).filter(([path]) => path.startsWith("node_modules/"));
}

function nodeRange(engines: LockEntry["engines"]): string | undefined {
  if (engines === undefined || Array.isArray(engines)) return undefined;
  return engines.node;
}

/** A reason the range excludes this Node, or undefined when it admits it. */
function excludes(range: string | undefined): string | undefined {
  if (range === undefined) return undefined;
  if (semver.validRange(range) === null) return `unreadable range "${range}"`;
  return semver.satisfies(process.version, range, { includePrerelease: true })
    ? undefined
    : `requires node ${range}`;
}

describe("dependencies' engines (issue 23)", () => {
  it("the tests run on the Node that package.json names (20.x)", () => {
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { engines: { node: string } };
    assert.equal(excludes(pkg.engines.node), undefined);
    assert.equal(process.versions.node.split(".")[0], "20", "Parley supports Node 20: run the suite on it");
  });

  it("no package in package-lock.json declares engines.node that excludes this Node 20", () => {
    const packages = lockPackages();
    assert.ok(packages.length > 100, "the lock lists the installed packages");
    const bad = packages
      .map(([path, entry]) => [path, entry.version, excludes(nodeRange(entry.engines))] as const)
      .filter(([, , reason]) => reason !== undefined)
      .map(([path, version, reason]) => `${path}@${version}: ${reason}`);
    assert.deepEqual(bad, [], `packages that do not declare Node ${process.version}`);
  });

  it("no installed package.json declares engines.node that excludes this Node 20", () => {
    const bad: string[] = [];
    let read = 0;
    for (const [path] of lockPackages()) {
      const file = join(root, path, "package.json");
      // Optional platform packages for other systems (darwin, win32 ...) are not installed here.
      if (!existsSync(file)) continue;
      read++;
      const pkg = JSON.parse(readFileSync(file, "utf8")) as {
        version?: string;
        engines?: LockEntry["engines"];
      };
      const reason = excludes(nodeRange(pkg.engines));
      if (reason !== undefined) bad.push(`${path}@${pkg.version}: ${reason}`);
    }
    assert.ok(read > 100, "node_modules holds the lock's packages (run npm ci first)");
    assert.deepEqual(bad, [], `installed packages that do not declare Node ${process.version}`);
  });

  it("the check itself tells Node >= 22 apart from a range Node 20 meets", () => {
    assert.match(excludes(">=22") ?? "", /requires node >=22/);
    assert.match(excludes(">=22.0.0 <23") ?? "", /requires node/);
    assert.equal(excludes("^18 || ^20 || >=22"), undefined);
    assert.equal(excludes(">=18"), undefined);
    assert.equal(excludes(undefined), undefined);
  });
});
