import { test } from "node:test";
import assert from "node:assert/strict";
import { AppError } from "../../src/contracts/app-error.ts";
import { normaliseEntryPath, resolveLinkTarget } from "../../src/processors/archive/entry-path.ts";
import { NameRegistry, numberedName } from "../../src/processors/archive/name-registry.ts";
import { ExtractBudget } from "../../src/processors/archive/extract-budget.ts";
import { formatFromHint, innerFileName, isTarHeader, sniffMagic } from "../../src/processors/archive/archive-format.ts";

const code = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    return e instanceof AppError ? e.code : `not an AppError: ${String(e)}`;
  }
  return "no error";
};

void test("entry names are normalised to relative paths", () => {
  const table: [string, string][] = [
    ["a/b.txt", "a/b.txt"],
    ["./a//b.txt", "a/b.txt"],
    ["dir/", "dir"],
    ["win\\style\\f.txt", "win/style/f.txt"],
    ["..foo/bar..", "..foo/bar.."],
  ];
  for (const [input, expected] of table) assert.equal(normaliseEntryPath(input), expected, input);
});

void test("names that could leave the target are UNSAFE_ARCHIVE", () => {
  for (const name of ["/etc/passwd", "../x", "a/../../x", "a/../b", "..\\..\\x", "C:/x", "c:x", "\\\\server\\share", "a\0b", "", "./", "//x"]) {
    assert.equal(
      code(() => normaliseEntryPath(name)),
      "UNSAFE_ARCHIVE",
      JSON.stringify(name),
    );
  }
});

void test("link targets resolve inside the root or not at all", () => {
  const table: [string, string, string | null][] = [
    ["a/l", "b.txt", "a/b.txt"],
    ["a/l", "../b.txt", "b.txt"],
    ["a/b/l", "../../c", "c"],
    ["l", "../x", null],
    ["a/l", "../../x", null],
    ["l", "/tmp", null],
    ["l", "d/../../x", null],
    ["l", "d/../x", null], // physical `..` after a link could climb: refused
    ["l", "C:/x", null],
  ];
  for (const [link, target, expected] of table) assert.equal(resolveLinkTarget(link, target), expected, `${link} -> ${target}`);
});

void test("duplicate names: later entries get (2), (3) before the extension; directories merge", () => {
  const r = new NameRegistry();
  assert.equal(r.claim("same.txt", "file"), "same.txt");
  assert.equal(r.claim("same.txt", "file"), "same (2).txt");
  assert.equal(r.claim("same.txt", "file"), "same (3).txt");
  assert.equal(r.claim("d", "directory"), "d");
  assert.equal(r.claim("d/x", "file"), "d/x");
  assert.equal(r.claim("d", "directory"), "d");
  assert.equal(numberedName("a/.hidden", 2), "a/.hidden (2)");
  assert.equal(numberedName("a/b.tar.gz", 2), "a/b.tar (2).gz");
  assert.equal(
    code(() => r.claim("same.txt/inner", "file")),
    "UNSAFE_ARCHIVE",
  );
  r.claim("l", "link");
  assert.equal(
    code(() => r.claim("l/through", "file")),
    "UNSAFE_ARCHIVE",
  );
  assert.equal(
    code(() => r.claim("d", "file")),
    "UNSAFE_ARCHIVE",
  );
});

void test("the budget stops on the first byte over each cap", () => {
  const caps = { maxTotalBytes: 100, maxEntryBytes: 60, maxRatio: 10, maxEntries: 2, ratioGraceBytes: 0 };
  const entry = new ExtractBudget(1000, caps);
  entry.startEntry("a");
  entry.addBytes(60);
  assert.equal(
    code(() => entry.addBytes(1)),
    "ARCHIVE_BOMB",
  );

  const total = new ExtractBudget(1000, caps);
  total.startEntry("a");
  total.addBytes(50);
  total.startEntry("b");
  total.addBytes(50);
  assert.equal(
    code(() => total.addBytes(1)),
    "ARCHIVE_BOMB",
  );
  assert.equal(
    code(() => total.startEntry("c")),
    "ARCHIVE_BOMB",
  );

  const ratio = new ExtractBudget(5, caps);
  ratio.startEntry("a");
  ratio.addBytes(50);
  assert.equal(
    code(() => ratio.addBytes(1)),
    "ARCHIVE_BOMB",
  );

  const grace = new ExtractBudget(1, { ...caps, ratioGraceBytes: 50 });
  grace.startEntry("a");
  grace.addBytes(50); // under the grace: a tiny compressible archive is not a bomb
  assert.equal(
    code(() => grace.addBytes(1)),
    "ARCHIVE_BOMB",
  );
});

void test("formats are recognised by magic bytes, hints only name them", () => {
  const bytes = (...b: number[]) => new Uint8Array([...b, ...new Array<number>(600).fill(0)]);
  assert.equal(sniffMagic(bytes(0x50, 0x4b, 3, 4)), "zip");
  assert.equal(sniffMagic(bytes(0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c)), "7z");
  assert.equal(sniffMagic(bytes(0x52, 0x61, 0x72, 0x21, 0x1a, 0x07, 0)), "rar");
  assert.equal(sniffMagic(bytes(0x1f, 0x8b)), "gz");
  assert.equal(sniffMagic(bytes(0x28, 0xb5, 0x2f, 0xfd)), "zst");
  assert.equal(sniffMagic(bytes(0x25, 0x50, 0x44, 0x46)), null);
  const tar = new Uint8Array(512);
  tar.set(new TextEncoder().encode("ustar"), 257);
  assert.equal(isTarHeader(tar), true);
  assert.equal(formatFromHint("x/Y.TGZ"), "tar.gz");
  assert.equal(formatFromHint("scan.las.zst"), "zst");
  assert.equal(formatFromHint("las"), null);
  assert.equal(innerFileName("t/scan.las.zst"), "scan.las");
  assert.equal(innerFileName("t/a.tzst"), "a.tar");
});
