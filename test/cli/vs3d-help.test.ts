import assert from "node:assert/strict";
import { test } from "node:test";
import { execa } from "execa";
import { COMMANDS } from "../../src/cli/help.ts";
import { REPO_ROOT } from "../helpers/fixtures.ts";

const vs3d = (args: string[]) => execa(`${REPO_ROOT}/bin/vs3d.js`, args, { reject: false, cwd: REPO_ROOT });

test("vs3d --help and every command's --help answer on stdout with exit 0", async () => {
  const top = await vs3d(["--help"]);
  assert.equal(top.exitCode, 0);
  for (const name of Object.keys(COMMANDS)) assert.match(top.stdout, new RegExp(`^  ${name} `, "m"), `the overview lists ${name}`);
  const subcommands = [
    ["dlq", "list", "--help"],
    ["dlq", "replay", "-h"],
    ["machine", "broker", "--help"],
    ["tasks", "--state", "failed", "--help"],
    ["cancel", "some-id", "--help"],
  ];
  const runs = await Promise.all([...Object.keys(COMMANDS).flatMap((name) => [vs3d([name, "--help"]), vs3d(["help", name])]), ...subcommands.map(vs3d)]);
  for (const r of runs) {
    assert.equal(r.exitCode, 0, r.command);
    assert.match(r.stdout, /^usage: vs3d /, r.command);
    assert.equal(r.stderr.trim(), "", r.command);
  }
});

test("usage errors are one line on stderr with exit 2, never a stack trace; piping into head is no error", async () => {
  for (const args of [
    ["nope"],
    ["process", "x.jpg", "--bogus"],
    ["process"],
    ["replay"],
    ["replay", "a", "b"],
    ["dlq", "purge"],
    ["machine", "zzz"],
    ["replay", "--limit"],
    ["tasks", "--state", "sleeping"],
    ["tasks", "--limit", "0"],
    ["tasks", "extra"],
    ["tasks", "--bogus"],
    ["cancel"],
    ["cancel", "a", "b"],
  ]) {
    const r = await vs3d(args);
    assert.equal(r.exitCode, 2, args.join(" "));
    const lines = r.stderr.split("\n").filter((l) => l.startsWith("vs3d"));
    assert.equal(lines.length, 1, `${args.join(" ")}: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /\n\s+at /, `${args.join(" ")}: no stack trace`);
  }
  const piped = await execa("bash", ["-c", `'${REPO_ROOT}/bin/vs3d.js' machine | head -c 1`], { reject: false });
  assert.equal(piped.exitCode, 0);
  assert.doesNotMatch(piped.stderr, /EPIPE|\n\s+at /);
});
