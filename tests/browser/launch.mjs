// Starts Debian's headless Chromium through playwright-core (no browser download), the same way for every browser
// test: HROMADATA_CHROMIUM names the executable (default /usr/bin/chromium); nothing reaches the network by itself.

import { chromium } from 'playwright-core';

/** Launches headless Chromium; resolves to playwright's `Browser`. */
export function launch() {
  return chromium.launch({
    executablePath: process.env.HROMADATA_CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}
