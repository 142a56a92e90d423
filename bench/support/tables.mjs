// The benchmarks' printed figures: medians, number formats and Markdown tables.

/** The median of a list of numbers (the mean of the middle two for an even count). */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export const integer = (value) => Math.round(value).toLocaleString('en-US');
export const fixed = (digits) => (value) => value.toFixed(digits);

/** A Markdown table on stdout: the first column left-aligned, the figures right-aligned. */
export function printTable(header, rows) {
  const widths = header.map((_, column) =>
    Math.max(header[column].length, ...rows.map((row) => row[column].length)),
  );
  const pad = (cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]));
  const line = (row) => `| ${row.map(pad).join(' | ')} |`;
  console.log(line(header));
  console.log(
    `|${widths.map((width, i) => `${'-'.repeat(width + 1)}${i === 0 ? '-' : ':'}`).join('|')}|`,
  );
  for (const row of rows) console.log(line(row));
  console.log('');
}
