import { get } from './http.js';

/** The Prometheus text that `GET /metrics` answers now. */
export async function scrape(url: string): Promise<string> {
  return (await get<string>(url, '/metrics')).body;
}

/** The value of one sample (`name{labels}`) in a Prometheus text exposition; 0 when absent. */
export function sampleOf(metrics: string, sample: string): number {
  const line = metrics.split('\n').find((candidate) => candidate.startsWith(`${sample} `));
  return line === undefined ? 0 : Number(line.slice(sample.length + 1));
}

/** How much each sample grew from `before` to `after`, for the samples named. */
export function increases(
  before: string,
  after: string,
  samples: readonly string[],
): Record<string, number> {
  return Object.fromEntries(
    samples.map((sample) => [sample, sampleOf(after, sample) - sampleOf(before, sample)]),
  );
}
