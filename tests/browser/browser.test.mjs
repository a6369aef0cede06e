// Browser tests of the built catalogue, as a person would use it: headless Debian Chromium driven by
// playwright-core, the site served on 127.0.0.1 from a sub-path (as GitHub Pages serves a project site).
//
//   HROMADATA_SITE=path/to/site node --test tests/browser/browser.test.mjs
//
// Environment: HROMADATA_SITE (the built site, required), HROMADATA_CHROMIUM (default /usr/bin/chromium),
// HROMADATA_SCREENSHOTS (folder for the phone and desktop screenshots; default: none taken).
// Every page is checked for: no request leaving 127.0.0.1, no console error, axe-core WCAG 2.1 AA.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { launch } from './launch.mjs';
import { serve } from './serve.mjs';

const require = createRequire(import.meta.url);
const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const SITE = process.env.HROMADATA_SITE;
const SHOTS = process.env.HROMADATA_SCREENSHOTS;
const PREFIX = '/catalogue/';
/** Our own CSS and JavaScript a page may load (the budget), except the full-table view. */
const OWN_ASSET_BUDGET = 150 * 1024;

let server;
let browser;
const outside = [];

before(async () => {
  assert.ok(SITE && fs.existsSync(path.join(SITE, 'index.html')), 'HROMADATA_SITE must name a built site');
  server = await serve(SITE, PREFIX);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** A new page whose requests outside 127.0.0.1 are recorded and refused, and whose errors are collected. */
async function open(rel, viewport = { width: 1280, height: 900 }) {
  const context = await browser.newContext({ viewport, locale: 'uk-UA', serviceWorkers: 'block' });
  const page = await context.newPage();
  const errors = [];
  const assets = [];
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.hostname === '127.0.0.1' || url.protocol === 'data:') return route.continue();
    outside.push(route.request().url());
    return route.abort();
  });
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('response', async (r) => {
    const type = r.request().resourceType();
    if (type === 'script' || type === 'stylesheet') {
      const body = await r.body().catch(() => Buffer.alloc(0));
      assets.push({ url: r.url(), bytes: body.length });
    }
  });
  const response = await page.goto(server.url + rel, { waitUntil: 'load' });
  return { page, context, errors, assets, response };
}

/** The page types of the site, found by following its own links from the home page. */
async function pageTypes() {
  const { page, context } = await open('');
  const href = async (selector) => {
    const h = await page.$eval(selector, (a) => a.getAttribute('href')).catch(() => null);
    return h ? new URL(h, page.url()).pathname.slice(PREFIX.length) : null;
  };
  const types = { home: '', datasets: 'datasets/', publishers: 'publishers/' };
  types.dataset = await href('main a[href*="datasets/"][href$="/"]:not([href$="datasets/"])');
  types.oblast = await href('main a[href*="oblasts/"]');
  types.coverage = await href('header a[href$="coverage/"]');
  await page.goto(server.url + types.dataset);
  types.publisher = await href('main .byline a');
  types.hromada = await href('main a[href*="hromadas/"]');
  types.table = await href('main a[href*="/table/"]');
  await page.goto(server.url + types.hromada);
  types.raion = await href('main a[href*="raions/"]');
  if (fs.existsSync(path.join(SITE, 'search', 'index.html'))) types.search = 'search/';
  if (types.coverage) {
    await page.goto(server.url + types.coverage);
    // The last oblast of the table: the same template as the others, and a small page (axe-core takes
    // ~50 s on the 1.2 MB page of the first).
    types.coverage_oblast = await href('main tr:last-child a[href*="coverage/UA"]');
  }
  await page.goto(server.url + types.datasets);
  // The list's second page, when the list has more than one (the embedded catalogue's has).
  types.datasets_page = await href('main nav.pager a[rel="next"]');
  types.not_found = 'no-such-page/';
  await context.close();
  for (const [k, v] of Object.entries(types)) if (v === null) delete types[k];
  return types;
}

let typesPromise;
const types = () => (typesPromise ??= pageTypes());

test('every page type is found from the home page', async () => {
  const t = await types();
  for (const k of ['dataset', 'publisher', 'oblast', 'raion', 'hromada']) assert.ok(t[k], `no ${k} page linked`);
});

for (const lang of ['uk', 'en']) {
  test(`every page type in ${lang}: WCAG 2.1 AA (axe-core), lang, one h1, skip link, no console errors`, async (t) => {
    for (const [kind, rel] of Object.entries(await types())) {
      await t.test(`${lang} ${kind}`, async () => {
        const at = lang === 'uk' ? rel : `en/${rel}`;
        const { page, context, errors, response } = await open(at);
        assert.equal(response.status(), kind === 'not_found' ? 404 : 200, at);
        assert.equal(await page.getAttribute('html', 'lang'), kind === 'not_found' ? 'uk' : lang);
        assert.equal(await page.locator('h1').count(), 1, `${at}: one h1`);
        const skip = await page.$eval('body a', (a) => a.getAttribute('href'));
        assert.equal(skip, '#main', `${at}: the first link skips to the content`);
        await page.addScriptTag({ content: AXE_SOURCE });
        const result = await page.evaluate(() => window.axe.run(document, {
          runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
        }));
        const found = result.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
        assert.deepEqual(found, [], `${at}: axe-core violations`);
        // The browser logs the 404 status of the not-found page itself; nothing else may fail.
        const unexpected = errors.filter((e) => !(kind === 'not_found' && /status of 404/.test(e)));
        assert.deepEqual(unexpected, [], `${at}: console errors`);
        await context.close();
      });
    }
  });
}

test('the language switch keeps the page, both ways', async () => {
  const { dataset } = await types();
  const { page, context } = await open(dataset);
  await page.click('a.lang-switch');
  assert.equal(new URL(page.url()).pathname, `${PREFIX}en/${dataset}`);
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  await page.click('a.lang-switch');
  assert.equal(new URL(page.url()).pathname, `${PREFIX}${dataset}`);
  assert.equal(await page.getAttribute('html', 'lang'), 'uk');
  await context.close();
});

test('a download link serves a file whose SHA-256 is the one the page shows', async () => {
  const { dataset } = await types();
  const { page, context } = await open(dataset);
  const resources = await page.$$eval('article.resource', (list) => list.map((r) => ({
    href: r.querySelector('a.download').href,
    shown: r.querySelector('code.hash').textContent.trim(),
  })));
  assert.ok(resources.length > 0);
  for (const r of resources) {
    const response = await page.request.get(r.href);
    assert.equal(response.status(), 200, r.href);
    const sha = createHash('sha256').update(await response.body()).digest('hex');
    assert.equal(sha, r.shown, r.href);
  }
  await context.close();
});

test("the full table filters its rows and sorts by the column's type", async () => {
  const { table } = await types();
  assert.ok(table, 'a dataset page links its full table');
  const { page, context, errors } = await open(table);
  const rows = () => page.$$eval('#full-table tbody tr:not([hidden])', (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
  const all = await rows();
  assert.ok(all.length >= 2, 'a table of several rows');
  const yearAt = await page.$$eval('#full-table thead th', (ths) => ths.findIndex((th) => th.dataset.type === 'year'));
  assert.ok(yearAt >= 0, 'the budget table has a year column');
  const year = all[1][yearAt];
  await page.fill('#table-filter', year);
  await page.waitForFunction((n) => document.querySelectorAll('#full-table tbody tr:not([hidden])').length === n, 1);
  assert.deepEqual((await rows()).map((r) => r[yearAt]), [year]);
  assert.match(await page.textContent('#table-count'), new RegExp(`1\\D+${all.length}`));
  await page.fill('#table-filter', '');
  await page.waitForFunction((n) => document.querySelectorAll('#full-table tbody tr:not([hidden])').length === n, all.length);
  const header = page.locator('#full-table thead th').nth(yearAt);
  await header.locator('button').click();
  await header.locator('button').click();
  assert.equal(await header.getAttribute('aria-sort'), 'descending');
  const years = (await rows()).map((r) => Number(r[yearAt]));
  assert.deepEqual(years, [...years].sort((a, b) => b - a));
  assert.deepEqual(errors, []);
  await context.close();
});

/** The search page's result count (from its live status line) once it has settled. */
async function searchTotal(page) {
  // The count comes from the term shards; the list follows once the documents are loaded.
  await page.waitForFunction(() => /\d/.test(document.getElementById('search-status').textContent)
    && document.querySelectorAll('#search-list li a').length > 0);
  return Number((await page.textContent('#search-status')).match(/\d[\d\s\u202f,]*/)[0].replace(/\D/g, ''));
}

test('searching a Ukrainian word from the header finds the dataset; a facet narrows the list', async () => {
  const { page, context, errors } = await open('');
  await page.fill('#site-search-q', 'бюджету');
  await page.press('#site-search-q', 'Enter');
  await page.waitForURL(/search\/\?q=/);
  const total = await searchTotal(page);
  const titles = await page.$$eval('#search-list li a', (as) => as.map((a) => a.textContent));
  assert.ok(titles.some((t) => t.includes('Доходи бюджету')), titles.join(' | '));
  // The first facet value that keeps some results but not all of them.
  const boxes = page.locator('#search-facet-list input[type=checkbox]');
  let narrowed = null;
  for (let i = 0; i < await boxes.count() && narrowed === null; i += 1) {
    const label = await page.textContent(`label[for="${await boxes.nth(i).getAttribute('id')}"]`);
    const n = Number((label.match(/\((\d+)\)|(\d+)\s*$/) || [])[1] ?? NaN);
    if (n > 0 && n < total) {
      await boxes.nth(i).check();
      narrowed = await searchTotal(page);
      assert.equal(narrowed, n, `the facet's count (${label.trim()}) is what it leaves`);
      assert.match(page.url(), /&[a-z0-9_]+=/, 'the facet is in the address');
    }
  }
  assert.ok(narrowed !== null && narrowed < total, 'some facet narrows the results');
  assert.deepEqual(errors, []);
  await context.close();
});

test("search treats the apostrophe's spellings ' ʼ ’ alike", async () => {
  const results = [];
  for (const q of ["об'єднань", 'обʼєднань', 'об’єднань']) {
    const { page, context, errors } = await open(`search/?q=${encodeURIComponent(q)}`);
    await searchTotal(page);
    results.push(await page.$$eval('#search-list li a', (as) => as.map((a) => a.getAttribute('href'))));
    assert.deepEqual(errors, []);
    await context.close();
  }
  assert.ok(results[0].length > 0, 'the word is in the catalogue');
  assert.deepEqual(results[1], results[0]);
  assert.deepEqual(results[2], results[0]);
});

test('pages reflow at 320 px (no sideways scrolling) and load at most 150 KB of our own CSS and JS', async (t) => {
  for (const [kind, rel] of Object.entries(await types())) {
    await t.test(kind, async () => {
      const { page, context, assets } = await open(rel, { width: 320, height: 640 });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `${rel}: ${overflow}px wider than a 320 px screen`);
      if (kind !== 'table') {
        const own = assets.filter((a) => a.url.startsWith(server.url)).reduce((s, a) => s + a.bytes, 0);
        assert.ok(own <= OWN_ASSET_BUDGET, `${rel}: ${own} bytes of CSS and JS`);
      }
      await context.close();
    });
  }
});

test('keyboard: the skip link is the first stop, visibly focused, and moves focus to the content', async () => {
  const { page, context } = await open('');
  await page.keyboard.press('Tab');
  const focused = await page.evaluate(() => {
    const el = document.activeElement;
    const s = getComputedStyle(el);
    const r = el.getBoundingClientRect();
    return { href: el.getAttribute('href'), outline: s.outlineStyle, width: r.width, height: r.height, top: r.top };
  });
  assert.equal(focused.href, '#main');
  assert.notEqual(focused.outline, 'none', 'focus is visible');
  assert.ok(focused.width > 0 && focused.height > 0 && focused.top >= 0, 'the focused skip link is on screen');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'main');
  await context.close();
});

test('printing hides navigation and keeps the content', async () => {
  const { dataset } = await types();
  const { page, context } = await open(dataset);
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.$eval('header nav', (n) => getComputedStyle(n).display), 'none');
  assert.notEqual(await page.$eval('main h1', (n) => getComputedStyle(n).display), 'none');
  await context.close();
});

test('screenshots of the main page types, phone and desktop', { skip: !SHOTS }, async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  const t = await types();
  const views = { phone: { width: 390, height: 844 }, desktop: { width: 1366, height: 900 } };
  for (const kind of ['home', 'datasets', 'dataset', 'hromada', 'publisher', 'search', 'table', 'coverage']) {
    if (t[kind] === undefined) continue;
    for (const [name, viewport] of Object.entries(views)) {
      for (const lang of ['uk', 'en']) {
        const { page, context } = await open(lang === 'uk' ? t[kind] : `en/${t[kind]}`, viewport);
        await page.screenshot({ path: path.join(SHOTS, `${kind}-${lang}-${name}.png`), fullPage: name === 'phone' ? false : true });
        await context.close();
      }
    }
  }
});

test('no request left 127.0.0.1', async () => {
  assert.deepEqual(outside, []);
});
