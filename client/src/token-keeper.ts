/**
 * The connection token: the one the handshake presents, renewed through `getToken` before the
 * server's `session:expiring` deadline (with `session:refresh`), after a handshake refused as
 * unauthorized, and after a session ended as token_expired.
 */
export class TokenKeeper {
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  /** The server's clock minus this one's, from the latest welcome: `expiresAt` is the server's. */
  private clockOffsetMs = 0;
  private renewedSinceWelcome = false;
  private stopped = false;

  constructor(
    private token: string | undefined,
    private readonly getToken: (() => Promise<string>) | undefined,
    private readonly session: { refresh(token: string): Promise<unknown> },
  ) {}

  get canRenew(): boolean {
    return this.getToken !== undefined;
  }

  handshakeAuth(): { token: string } | undefined {
    return this.token === undefined ? undefined : { token: this.token };
  }

  /** Without a token but with `getToken`, the first handshake asks for one. */
  async beforeFirstConnection(): Promise<void> {
    if (this.token === undefined && this.getToken) await this.renew();
  }

  welcomed(serverTime: number): void {
    this.clockOffsetMs = serverTime - Date.now();
    this.renewedSinceWelcome = false;
  }

  /**
   * Whether a refused handshake is worth one more try with a new token. Once only until a
   * welcome: a token that `getToken` returns and the server refuses would otherwise loop.
   */
  mayRenewAfterRefusal(): boolean {
    if (!this.getToken || this.renewedSinceWelcome) return false;
    this.renewedSinceWelcome = true;
    return true;
  }

  async renew(): Promise<void> {
    if (!this.getToken) throw new Error('no getToken to renew the token with');
    this.token = await this.getToken();
  }

  /**
   * Refreshes halfway between now and `expiresAt`: early enough to survive a slow `getToken`,
   * and late enough that a provider handing out short-lived tokens is not asked in a loop (the
   * server says `session:expiring` again after each refresh, at once when less than a minute is left).
   */
  expiring(expiresAt: number): void {
    if (!this.getToken || this.stopped) return;
    clearTimeout(this.refreshTimer);
    const leftMs = expiresAt - (Date.now() + this.clockOffsetMs);
    this.refreshTimer = setTimeout(() => void this.refreshNow(), Math.max(0, leftMs / 2));
  }

  /** The session is gone: the next connection is told its own deadline. */
  dropped(): void {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = undefined;
  }

  stop(): void {
    this.stopped = true;
    this.dropped();
  }

  private async refreshNow(): Promise<void> {
    this.refreshTimer = undefined;
    try {
      await this.renew();
      if (!this.stopped && this.token !== undefined) await this.session.refresh(this.token);
    } catch {
      // The session then ends as token_expired, and the reconnection asks getToken again.
    }
  }
}
