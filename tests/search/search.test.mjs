// The browser search (themes/default/static/search.js) run under Node against a built site's
// index: the same normaliser table as the Rust unit tests, and queries over the embedded
// catalogue. Run: `node --test tests/search/` (Node 20, no packages). The site is
// $HROMADATA_SITE when set; else the embedded `datasets/` is built into a temporary folder with
// $HROMADATA_BIN (default: the debug binary in $CARGO_TARGET_DIR or target/).
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, "..", "..");
const require = createRequire(import.meta.url);
const search = require(join(repo, "themes/default/static/search.js"));

let site;
before(() => {
  site = process.env.HROMADATA_SITE;
  if (site) return;
  const bin = process.env.HROMADATA_BIN
    || join(process.env.CARGO_TARGET_DIR || join(repo, "target"), "debug", "hromadata");
  assert.ok(existsSync(bin), `no hromadata binary at ${bin}: run cargo build or set HROMADATA_BIN`);
  site = join(mkdtempSync(join(tmpdir(), "hromadata-search-")), "site");
  execFileSync(bin, ["build", "--source", join(repo, "datasets"), "--out", site],
    { stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, CI: "true" } });
});

// An engine over one language's index, counting the bytes it reads.
function engine(lang = "uk") {
  const read = { bytes: 0, files: 0 };
  const e = new search.Engine((path) => {
    const text = readFileSync(join(site, "search", lang, path), "utf8");
    read.bytes += Buffer.byteLength(text);
    read.files += 1;
    return Promise.resolve(JSON.parse(text));
  });
  e.read = read;
  return e;
}

async function urls(e, q, selected = {}) {
  const r = await e.search(q, selected);
  const rows = await e.docs(r.results);
  return rows.map((row) => row[0]);
}

test("tokens follow the shared normalisation table", () => {
  const table = JSON.parse(readFileSync(join(here, "normalise.json"), "utf8"));
  assert.ok(table.length > 10);
  for (const { text, tokens } of table) assert.deepEqual(search.tokens(text), tokens, text);
});

test("бюджет finds every budget dataset", async () => {
  const e = engine();
  await e.init();
  const found = await urls(e, "бюджет");
  const budgets = found.filter((u) => /^datasets\/.*budget-revenues\/$/.test(u));
  assert.ok(budgets.length >= 6, found.join(" "));
  assert.ok(found.includes("datasets/vinnytsia-budget-revenues/"), found.join(" "));
  // A prefix is enough, and case does not matter.
  assert.deepEqual(await urls(e, "БЮДЖ"), await urls(e, "бюдж"));
  assert.ok((await urls(e, "бюдж")).includes("datasets/vinnytsia-budget-revenues/"));
});

test("Агрономічн finds the hromada first", async () => {
  const e = engine();
  await e.init();
  const r = await e.search("Агрономічн", {});
  const rows = await e.docs(r.results);
  const hromada = rows.find((row) => row[0] === "hromadas/UA05020010000053508/");
  assert.ok(hromada, rows.map((row) => row[0]).join(" "));
  assert.equal(hromada[4], "hromada");
  assert.equal(rows[0][0], "hromadas/UA05020010000053508/");
  assert.ok(rows.some((row) => row[0] === "publishers/ahronomichna-silska-rada/"));
});

test("apostrophe variants give the same results", async () => {
  const e = engine();
  await e.init();
  const variants = ["об’єднань", "об'єднань", "обʼєднань", "ОБ‘ЄДНАНЬ"];
  const results = await Promise.all(variants.map((q) => urls(e, q)));
  assert.ok(results[0].length > 0);
  assert.ok(results[0].some((u) => u.endsWith("-condominiums/")), results[0].join(" "));
  for (const r of results) assert.deepEqual(r, results[0]);
});

test("facets narrow the results and count them", async () => {
  const e = engine();
  await e.init();
  const all = await e.search("бюджет", {});
  const oblast = e.facets().findIndex((f) => f.key === "oblast");
  const values = e.facets()[oblast].values;
  const counts = all.counts[oblast];
  const pick = values.find((v) => counts[v.index] > 0 && counts[v.index] < all.results.length);
  assert.ok(pick, "an oblast with some of the results");
  const narrowed = await e.search("бюджет", { oblast: [pick.key] });
  assert.equal(narrowed.results.length, counts[pick.index]);
  assert.ok(narrowed.results.every((id) => all.results.includes(id)));
  // Within one facet values are alternatives; across facets both must hold.
  const kind = e.facets().findIndex((f) => f.key === "kind");
  const both = await e.search("бюджет", { oblast: [pick.key], kind: ["publisher"] });
  assert.ok(both.results.length < narrowed.results.length);
  assert.equal(both.counts[oblast][pick.index], both.results.length);
  const datasets = e.facets()[kind].values.find((v) => v.key === "dataset");
  assert.equal(narrowed.counts[kind][datasets.index] <= narrowed.results.length, true);
  // No words: every document, narrowed by facets only.
  const everything = await e.search("", {});
  assert.equal(everything.results.length, (await e.init()).docs);
});

test("one-letter words are ignored, and the English index works", async () => {
  const e = engine();
  await e.init();
  assert.equal((await e.search("в", {})).short, true);
  assert.deepEqual(await urls(e, "бюджет в"), await urls(e, "бюджет"));
  const en = engine("en");
  await en.init();
  const found = await urls(en, "budget revenues");
  assert.ok(found.includes("datasets/vinnytsia-budget-revenues/"), found.join(" "));
});

test("a query loads a small part of the index", async () => {
  const e = engine();
  await e.init();
  const start = e.read.bytes;
  const r = await e.search("бюджет громади", {});
  await e.docs(r.results.slice(0, 20));
  // eslint-disable-next-line no-console
  console.log(`index: meta + facets ${start} bytes; query + 20 results ${e.read.bytes - start} bytes, ${e.read.files} files`);
  assert.ok(e.read.bytes < 500_000, `${e.read.bytes} bytes`);
});
