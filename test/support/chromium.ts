import { chromium, type Browser } from 'playwright-core';
import { binaryAvailable, describeNeeding } from './needs-binary.js';

/**
 * Debian's Chromium, driven by playwright-core, for the tests of the console at GET /. Never
 * `playwright install` (it downloads browsers): `apt-get install chromium`. Locally, without the
 * binary, those tests are skipped with a loud warning; with `CI=true` they fail instead.
 */

const CHROMIUM_BINARY = '/usr/bin/chromium';

const chromiumBinary = {
  available: binaryAvailable(CHROMIUM_BINARY, '--version'),
  name: CHROMIUM_BINARY,
  install: 'apt-get install chromium',
};

/** `describe` when Chromium is installed (always under CI); see `describeNeeding`. */
export function describeWithChromium(name: string, body: () => void): void {
  describeNeeding(chromiumBinary, name, body);
}

/** A headless Chromium; as root it refuses to start without --no-sandbox. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_BINARY,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** The browser of one `describe` block: launched before its first test, closed after its last. */
export function useChromium(): { readonly browser: Browser } {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(() => browser?.close());
  return {
    get browser() {
      if (!browser) throw new Error('Chromium is not launched yet: use it inside a test or hook');
      return browser;
    },
  };
}
