import { MetricsService } from './metrics.service.js';

/** The value of one sample line of the Prometheus text, e.g. `name{label="x"}`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((each) => each.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('MetricsService', () => {
  it('exposes what was counted, once, across scrapes', async () => {
    const metrics = new MetricsService();
    metrics.socketConnected();
    metrics.socketConnected();
    metrics.socketDisconnected({}, 'transport close');
    metrics.eventReceived('chat:send');
    metrics.eventReceived('chat:send');
    metrics.eventSent('chat:message');
    metrics.replied('OK', 0.002);
    metrics.replied('FORBIDDEN', 0.0001);

    const first = await metrics.render();
    expect(sample(first, 'switchboard_connected_sockets')).toBe(1);
    expect(sample(first, 'switchboard_events_received_total{event="chat:send"}')).toBe(2);
    expect(sample(first, 'switchboard_events_sent_total{event="chat:message"}')).toBe(1);
    expect(sample(first, 'switchboard_replies_total{code="OK"}')).toBe(1);
    expect(sample(first, 'switchboard_replies_total{code="FORBIDDEN"}')).toBe(1);
    expect(sample(first, 'switchboard_reply_duration_seconds_count')).toBe(2);
    expect(sample(first, 'switchboard_reply_duration_seconds_bucket{le="0.0005"}')).toBe(1);

    metrics.eventReceived('chat:send');
    const second = await metrics.render();
    expect(sample(second, 'switchboard_events_received_total{event="chat:send"}')).toBe(3);
    expect(sample(second, 'switchboard_reply_duration_seconds_count')).toBe(2);
  });

  it('counts refused handshakes by reason, each reason present from the start', async () => {
    const metrics = new MetricsService();
    const before = await metrics.render();
    metrics.handshakeRefused('unauthorized');
    metrics.handshakeRefused('unauthorized');
    metrics.handshakeRefused('rate_limited');

    const after = await metrics.render();
    expect(sample(before, 'switchboard_handshakes_refused_total{reason="unauthorized"}')).toBe(0);
    expect(sample(before, 'switchboard_handshakes_refused_total{reason="rate_limited"}')).toBe(0);
    expect(sample(after, 'switchboard_handshakes_refused_total{reason="unauthorized"}')).toBe(2);
    expect(sample(after, 'switchboard_handshakes_refused_total{reason="rate_limited"}')).toBe(1);
  });

  it('counts messages refused a new room by the bound, each bound present from the start', async () => {
    const metrics = new MetricsService();
    const series = (reason: string) => `switchboard_new_rooms_refused_total{reason="${reason}"}`;
    const before = await metrics.render();
    metrics.newRoomRefused('rooms_new_per_hour');

    const after = await metrics.render();
    expect(sample(before, series('history_max_rooms'))).toBe(0);
    expect(sample(before, series('rooms_new_per_hour'))).toBe(0);
    expect(sample(after, series('rooms_new_per_hour'))).toBe(1);
  });

  it.each([
    ['client namespace disconnect', 'client'],
    ['transport close', 'client'],
    ['transport error', 'client'],
    ['ping timeout', 'client'],
    ['parse error', 'client'],
    ['server namespace disconnect', 'server'],
    ['server shutting down', 'server'],
    ['forced server close', 'server'],
    ['forced close', 'server'],
  ])('counts a disconnect for "%s" under %s', async (socketIoReason, reason) => {
    const metrics = new MetricsService();
    metrics.socketConnected();
    metrics.socketDisconnected({}, socketIoReason);

    const text = await metrics.render();
    expect(sample(text, `switchboard_disconnects_total{reason="${reason}"}`)).toBe(1);
    expect(sample(text, 'switchboard_connected_sockets')).toBe(0);
  });

  it('counts a disconnect under the reason the server gave when it ended the socket', async () => {
    const metrics = new MetricsService();
    const [kicked, slow, other] = [{}, {}, {}];
    metrics.endingSession(kicked, 'kicked');
    metrics.endingSession(slow, 'slow_reader');
    metrics.socketDisconnected(kicked, 'server namespace disconnect');
    metrics.socketDisconnected(slow, 'forced close');
    metrics.socketDisconnected(other, 'server namespace disconnect');

    const text = await metrics.render();
    expect(sample(text, 'switchboard_disconnects_total{reason="kicked"}')).toBe(1);
    expect(sample(text, 'switchboard_disconnects_total{reason="slow_reader"}')).toBe(1);
    expect(sample(text, 'switchboard_disconnects_total{reason="server"}')).toBe(1);
    for (const reason of ['rate_limited', 'token_expired', 'replaced', 'client']) {
      expect(sample(text, `switchboard_disconnects_total{reason="${reason}"}`)).toBe(0);
    }
  });

  it('forgets the reason once the socket is counted', async () => {
    const metrics = new MetricsService();
    const socket = {};
    metrics.endingSession(socket, 'replaced');
    metrics.socketDisconnected(socket, 'server namespace disconnect');
    metrics.socketDisconnected(socket, 'transport close');

    const text = await metrics.render();
    expect(sample(text, 'switchboard_disconnects_total{reason="replaced"}')).toBe(1);
    expect(sample(text, 'switchboard_disconnects_total{reason="client"}')).toBe(1);
  });
});
