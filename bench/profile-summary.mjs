// Where a server's CPU time went, from a V8 profile written with `node --cpu-prof` (the runner's
// `--cpu-prof <dir>` writes one per server child): the functions with the most self time, and
// the same time added up by package (node_modules/<package>, node: internals, dist/ = the app),
// and the functions with the most inclusive time (themselves and everything they called).
//
//   node bench/profile-summary.mjs <file>.cpuprofile [--top 30]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values: options, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '30' } },
});
if (positionals.length !== 1) {
  process.stderr.write('usage: node bench/profile-summary.mjs <file>.cpuprofile [--top N]\n');
  process.exit(2);
}

const profile = JSON.parse(readFileSync(positionals[0], 'utf8'));
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));

// Sample i lasted timeDeltas[i + 1] microseconds (the last one: unknown, counted as the average).
const selfUs = new Map();
const total = profile.endTime - profile.startTime;
for (let i = 0; i < profile.samples.length; i += 1) {
  const delta = profile.timeDeltas[i + 1] ?? total / profile.samples.length;
  const id = profile.samples[i];
  selfUs.set(id, (selfUs.get(id) ?? 0) + delta);
}

function place(frame) {
  const url = frame.url.replace(/^file:\/\//, '');
  const modules = url.lastIndexOf('node_modules/');
  const short =
    modules >= 0
      ? url.slice(modules + 'node_modules/'.length)
      : url.replace(/^.*\/(dist|bench)\//, '$1/');
  return url ? `${short}:${frame.lineNumber + 1}` : '';
}

function packageOf(frame) {
  const url = frame.url;
  if (!url) return `(${frame.functionName || 'native'})`;
  if (url.startsWith('node:')) return 'node: internals';
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (match) return match[1];
  if (url.includes('/dist/')) return 'switchboard dist/';
  if (url.includes('/bench/')) return 'bench/';
  return url;
}

const parentOf = new Map();
for (const node of profile.nodes) {
  for (const child of node.children ?? []) parentOf.set(child, node.id);
}
const nameOf = (frame) => `${frame.functionName || '(anonymous)'} ${place(frame)}`.trim();

const byFunction = new Map();
const byPackage = new Map();
const inclusive = new Map();
let busyUs = 0;
for (const [id, us] of selfUs) {
  const frame = nodes.get(id).callFrame;
  if (frame.functionName === '(idle)') continue;
  busyUs += us;
  byFunction.set(nameOf(frame), (byFunction.get(nameOf(frame)) ?? 0) + us);
  const pkg = packageOf(frame);
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
  // Inclusive time: each function on the sample's stack, once even when recursive.
  const onStack = new Set();
  for (let node = id; node !== undefined; node = parentOf.get(node)) {
    onStack.add(nameOf(nodes.get(node).callFrame));
  }
  for (const name of onStack) inclusive.set(name, (inclusive.get(name) ?? 0) + us);
}
inclusive.delete('(root)');

const top = Number(options.top);
const share = (us) => `${((us / busyUs) * 100).toFixed(1).padStart(5)}%`;
const print = (title, entries) => {
  console.log(`\n${title}`);
  for (const [name, us] of [...entries].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${share(us)} ${(us / 1000).toFixed(0).padStart(7)} ms  ${name}`);
  }
};
console.log(
  `${positionals[0]}: ${(total / 1e6).toFixed(1)} s profiled, ${(busyUs / 1e6).toFixed(1)} s busy ` +
    '(percentages are of the busy time)',
);
print('self time by function', byFunction);
print('self time by package', byPackage);
print('inclusive time by function (itself and what it called)', inclusive);
