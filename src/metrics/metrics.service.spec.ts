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
    metrics.socketDisconnected();
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
});
