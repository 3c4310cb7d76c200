/**
 * Issue 23, CLI help: every `parley ... --help` reads as English ("an external line", never
 * "a external line"; no empty "(default )"), `trunk add` and the other routing `add` commands end
 * with examples, and those examples work as printed on a fresh data dir.
 *
 * The command tree is built in-process from the register functions src/cli/main.ts calls (read
 * from its source, so a command added there is checked too); `parley --help` and `parley start
 * --help`, which main.ts defines itself, run as child processes.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Command } from "commander";
import { runParleyCli } from "../helpers/parley-cli.js";

const MAIN = new URL("../../src/cli/main.ts", import.meta.url);

/** The `parley` command with every subcommand main.ts registers (not `start`). */
async function program(): Promise<Command> {
  const source = readFileSync(MAIN, "utf8");
  const modules = new Map<string, string>();
  for (const m of source.matchAll(/import \{([^}]*)\} from "\.\/([\w-]+)\.js";/g))
    for (const name of m[1]!.split(",")) modules.set(name.trim(), m[2]!);
  const root = new Command("parley");
  const calls = [...source.matchAll(/^(register\w+)\(program\);$/gm)].map((m) => m[1]!);
  assert.ok(calls.length >= 10, "main.ts registers its commands");
  for (const name of calls) {
    const file = modules.get(name);
    assert.ok(file, `main.ts imports ${name}`);
    const module = (await import(new URL(`../../src/cli/${file}.ts`, import.meta.url).href)) as Record<
      string,
      (p: Command) => void
    >;
    module[name]!(root);
  }
  return root;
}

/** The help a command prints, with the text added before and after it (examples). */
function helpOf(command: Command): string {
  let out = "";
  command.configureOutput({ writeOut: (s) => (out += s), getOutHelpWidth: () => 100 });
  command.outputHelp();
  return out;
}

function* everyCommand(command: Command, path: string[]): Generator<[string, Command]> {
  yield [path.join(" "), command];
  for (const sub of command.commands) yield* everyCommand(sub, [...path, sub.name()]);
}

function find(root: Command, path: string): Command {
  let at = root;
  for (const name of path.split(" ").slice(1)) {
    const next = at.commands.find((c) => c.name() === name);
    assert.ok(next, `no command ${path}`);
    at = next;
  }
  return at;
}

/** "a" before a word that starts with a vowel sound: a external, a analyze, a IP (not "a user"). */
const WRONG_ARTICLE = /\ba (?:[aeio]\w*|IP\b|SMTP\b|SDP\b|RTP\b)/i;

/** The `$ parley ...` lines of a help text's examples, each split into its arguments. */
function examples(help: string): string[][] {
  return help
    .split("\n")
    .filter((l) => l.trim().startsWith("$ parley "))
    .map((l) =>
      [
        ...l
          .trim()
          .slice("$ parley ".length)
          .matchAll(/(\w+=)?"([^"]*)"|\S+/g),
      ].map((m) => (m[2] === undefined ? m[0] : `${m[1] ?? ""}${m[2]}`)),
    );
}

describe("parley help (issue 23)", () => {
  let root: Command;
  let dataDir: string;
  before(async () => {
    root = await program();
    dataDir = mkdtempSync(join(tmpdir(), "parley-help-"));
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it("no help text uses 'a' before a vowel sound ('a external line', 'a analyze record')", () => {
    const wrong: string[] = [];
    let count = 0;
    for (const [path, command] of everyCommand(root, ["parley"])) {
      count++;
      const help = helpOf(command);
      for (const line of help.split("\n"))
        if (WRONG_ARTICLE.test(line)) wrong.push(`${path}: ${line.trim()}`);
    }
    assert.ok(count > 100, `every command's help was read (${count})`);
    assert.deepEqual(wrong, []);
    assert.match(helpOf(find(root, "parley line show")), /show every field of an external line/);
    assert.match(helpOf(find(root, "parley dialplan analyze remove")), /delete an analyze record that/);
  });

  it("every argument of the routing commands says what it is", () => {
    const bare: string[] = [];
    for (const kind of [
      "line",
      "trunk",
      "dialplan",
      "dialplan analyze",
      "dialplan transition",
      "dialplan refine",
    ])
      for (const sub of find(root, `parley ${kind}`).commands)
        for (const arg of sub.registeredArguments)
          if (!arg.description) bare.push(`parley ${kind} ${sub.name()} <${arg.name()}>`);
    assert.deepEqual(bare, []);
  });

  it("trunk add ends with an example of a trunk, and each routing add with its own examples", () => {
    const trunk = helpOf(find(root, "parley trunk add"));
    assert.match(trunk, /\nExamples:\n/);
    assert.match(trunk, /\$ parley trunk add branch1 address=192\.0\.2\.10 port=5060 transport=udp/);
    for (const path of ["line", "dialplan", "dialplan analyze", "dialplan transition", "dialplan refine"]) {
      const help = helpOf(find(root, `parley ${path} add`));
      assert.ok(
        examples(help).some((args) => args.join(" ").startsWith(`${path} add`)),
        `parley ${path} add --help shows an example of itself`,
      );
    }
    // The fields of one kind are never another kind's (they once all showed a line's fields).
    assert.doesNotMatch(helpOf(find(root, "parley dialplan refine add")), /server=|outboundProxy/);
  });

  it("the examples work as printed on a fresh data dir", async () => {
    const run = async (args: string[]) => {
      const result = await runParleyCli(args, dataDir);
      assert.equal(result.code, 0, `parley ${args.join(" ")}\n${result.stderr}`);
      return result.stdout;
    };
    // A dial plan names users, who exist once a server first started (or the operator added them).
    for (const name of ["101", "102"]) await run(["user", "add", name, "--password", `pw-of-${name}-ok`]);
    for (const path of [
      "line",
      "trunk",
      "dialplan",
      "dialplan transition",
      "dialplan analyze",
      "dialplan refine",
    ])
      for (const args of examples(helpOf(find(root, `parley ${path} add`)))) await run(args);
    const trunk = JSON.parse(await run(["trunk", "show", "branch1", "--json"])) as Record<string, unknown>;
    assert.equal(trunk.address, "192.0.2.10");
    assert.equal(trunk.description, "Branch office PBX");
    const analyze = await run(["dialplan", "analyze", "list"]);
    assert.match(analyze, /^1 {2}default {2}"8" {2}sip-trunk {2}branch1$/m);
  });

  it("parley --help and parley start --help read well", async () => {
    const top = await runParleyCli(["--help"], dataDir);
    assert.match(top.stdout, /Parley: a SIP server and IP-PBX/);
    const start = await runParleyCli(["start", "--help"], dataDir);
    assert.equal(start.code, 0);
    assert.doesNotMatch(start.stdout, /\(default \)/, "an empty default is not shown");
    assert.doesNotMatch(start.stdout, /\(default MD5 only[^)]*\) \(default MD5\)/, "one default per setting");
    assert.doesNotMatch(start.stdout.replace(/\s+/g, " "), WRONG_ARTICLE);
    assert.match(start.stdout.replace(/\s+/g, " "), /\[env PARLEY_CONFIG\]/);
  });
});
