// Every HTML page of the built site passes the Nu HTML Checker (npm `vnu-jar`, run on the installed Java) with 0
// errors. HROMADATA_SITE names the built site.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';

const require = createRequire(import.meta.url);
const SITE = process.env.HROMADATA_SITE;

test('every page passes the Nu HTML Checker with 0 errors', () => {
  assert.ok(SITE && fs.existsSync(path.join(SITE, 'index.html')), 'HROMADATA_SITE must name a built site');
  const jar = require.resolve('vnu-jar/build/dist/vnu.jar');
  const run = spawnSync('java', ['-Xss8m', '-jar', jar, '--errors-only', '--skip-non-html', '--format', 'gnu', SITE],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  assert.equal(run.error, undefined, `could not start java: ${run.error}`);
  const errors = run.stderr.split('\n').filter((l) => l.includes(': error:') || l.includes(': fatal:'));
  assert.deepEqual(errors.slice(0, 20), [], `${errors.length} HTML errors`);
  assert.equal(run.status, 0, run.stderr.slice(0, 2000));
});
