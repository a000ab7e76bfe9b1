/**
 * Debian's Chromium for the browser tests (playwright-core drives it; nothing is downloaded). Where
 * it is missing, a suite is skipped with the reason on a laptop and fails under CI, which installs it.
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { describe, it } from 'vitest';

export const CHROMIUM = '/usr/bin/chromium';
export const HAVE_CHROMIUM = existsSync(CHROMIUM);

// The flags this machine's headless Chromium needs (no sandbox as root, no GPU, and no background
// connections to Google's hosts, which a closed network refuses). Playwright adds --headless and
// starts it with a fresh, temporary profile (user data dir) of its own.
export const CHROMIUM_FLAGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchChromium(extraFlags: readonly string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_FLAGS, ...extraFlags], timeout: 30_000 });
}

/**
 * `describe` for tests that need Chromium: `name` runs where it is installed; elsewhere the suite
 * is skipped with the reason (and a warning naming `file`), and under CI a test says it is missing.
 */
export function describeInBrowser(file: string, name: string, what: string, suite: () => void): void {
  const missing = `${CHROMIUM} is missing: install Debian's Chromium (apt-get install chromium, or run scripts/setup.sh) to run ${what}`;
  describe.runIf(!HAVE_CHROMIUM && process.env.CI)(`${name}, under CI`, () => {
    it('needs Chromium', () => {
      throw new Error(missing);
    });
  });
  if (!HAVE_CHROMIUM && !process.env.CI) console.warn(`${file}: skipping the browser test: ${missing}`);
  describe.skipIf(!HAVE_CHROMIUM)(`${name}${HAVE_CHROMIUM ? '' : ` (skipped: ${missing})`}`, suite);
}
