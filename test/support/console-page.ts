import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';

/** Where the console's screenshots go (gitignored): one per state and width. */
const SCREENSHOT_DIR = join(import.meta.dirname, '..', 'browser', '__screenshots__');

/** What Chromium logs while a server is down or refuses a handshake: expected, not a problem. */
const NETWORK_FAILURE = /Failed to load resource|WebSocket connection to .* failed/;

export const PHONE_WIDTH = 375;
export const DESKTOP_WIDTH = 1280;

/**
 * The console at GET / in a browser context of its own (its own cookies and storage: another
 * person), reached only through what a person sees: accessible names and visible text. It records
 * what must never happen: a dialog (an injected script ran) and an error in the page (the content
 * security policy refused something, or the script threw).
 */
export class ConsolePage {
  readonly dialogs: string[] = [];
  readonly problems: string[] = [];

  private constructor(
    readonly context: BrowserContext,
    readonly page: Page,
  ) {
    page.on('dialog', (dialog) => {
      this.dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    page.on('pageerror', (error) => this.problems.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error' && !NETWORK_FAILURE.test(message.text())) {
        this.problems.push(message.text());
      }
    });
  }

  static async open(browser: Browser, url: string, width = DESKTOP_WIDTH): Promise<ConsolePage> {
    const context = await browser.newContext({ viewport: { width, height: 800 } });
    const page = await context.newPage();
    await page.goto(url);
    return new ConsolePage(context, page);
  }

  get status(): Locator {
    return this.page.getByRole('status');
  }

  get messages(): Locator {
    return this.page.getByRole('log', { name: 'Messages' });
  }

  get members(): Locator {
    return this.page.getByRole('list', { name: 'Members' });
  }

  get notifications(): Locator {
    return this.page.getByRole('region', { name: 'Notifications' });
  }

  /** Resolves once the connection state reads `text` (a substring or a pattern). */
  async stateReads(text: string | RegExp): Promise<void> {
    await this.page.getByRole('status').filter({ hasText: text }).waitFor();
  }

  async connectAsGuest(name: string): Promise<void> {
    await this.page.getByLabel('Name', { exact: true }).fill(name);
    await this.page.getByRole('button', { name: 'Connect', exact: true }).click();
    await this.stateReads('Connected');
  }

  /** Pastes `token` and connects; does not wait, since a bad token is refused. */
  async connectWithToken(token: string): Promise<void> {
    await this.page.getByLabel('Token', { exact: true }).fill(token);
    await this.page.getByLabel('Token', { exact: true }).press('Enter');
  }

  /** Joins with the keyboard (Enter in the Room field) and waits for the room's tab. */
  async join(room: string): Promise<void> {
    await this.page.getByLabel('Room', { exact: true }).fill(room);
    await this.page.getByLabel('Room', { exact: true }).press('Enter');
    await this.page.getByRole('heading', { name: room, exact: true }).waitFor();
  }

  async leave(): Promise<void> {
    await this.page.getByRole('button', { name: 'Leave', exact: true }).click();
  }

  /** Types into the Message field and sends with Enter. */
  async send(text: string): Promise<void> {
    await this.page.getByLabel('Message', { exact: true }).fill(text);
    await this.page.getByLabel('Message', { exact: true }).press('Enter');
  }

  /** The message list's entry whose text is exactly `text`. */
  message(text: string): Locator {
    return this.messages
      .getByRole('listitem')
      .filter({ has: this.page.getByText(text, { exact: true }) });
  }

  /** Resolves with the author shown on the message `text`, once it is there. */
  async authorOf(text: string): Promise<string> {
    return (await this.message(text).locator('.author').textContent()) ?? '';
  }

  /** The id of the author of the message `text` (at hand on hover, as its name's title). */
  async authorIdOf(text: string): Promise<string> {
    return (await this.message(text).locator('.author [title]').getAttribute('title')) ?? '';
  }

  /** The id of the member named `name` (shown in the Members list beside the name). */
  async memberIdOf(name: string): Promise<string> {
    return (await this.member(name).locator('[title]').getAttribute('title')) ?? '';
  }

  /** Resolves once the message `text` shows `status` (`pending…`, `#3`, `failed: …`). */
  async messageShows(text: string, status: string | RegExp): Promise<void> {
    await this.message(text).filter({ hasText: status }).waitFor();
  }

  member(name: string): Locator {
    return this.members.getByRole('listitem').filter({ hasText: name });
  }

  async screenshot(state: string): Promise<void> {
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    const width = this.page.viewportSize()?.width ?? 0;
    await this.page.screenshot({
      path: join(SCREENSHOT_DIR, `${state}-${width}.png`),
      fullPage: true,
    });
  }

  /** Screenshots `state` at a phone's width and a desktop's, and returns to the first width. */
  async screenshotsAtBothWidths(state: string): Promise<void> {
    const before = this.page.viewportSize() ?? { width: DESKTOP_WIDTH, height: 800 };
    for (const width of [PHONE_WIDTH, DESKTOP_WIDTH]) {
      await this.page.setViewportSize({ width, height: 800 });
      await this.screenshot(state);
    }
    await this.page.setViewportSize(before);
  }

  close(): Promise<void> {
    return this.context.close();
  }
}

/**
 * Opens console pages of the server at `url()` in `browser()` for the tests of a describe block,
 * and after each test checks that none showed a dialog or a problem, then closes them.
 */
export function useConsolePages(
  browser: () => Browser,
  url: () => string,
): () => Promise<ConsolePage> {
  let pages: ConsolePage[] = [];
  afterEach(async () => {
    for (const page of pages) {
      expect(page.dialogs).toEqual([]);
      expect(page.problems).toEqual([]);
    }
    await Promise.all(pages.map((page) => page.close()));
    pages = [];
  });
  return async () => {
    const page = await ConsolePage.open(browser(), url());
    pages.push(page);
    return page;
  };
}
