#!/usr/bin/env node
// Example program for the `command` plugin: statistics and a histogram of one numeric column
// of a CSV table (e.g. a spectrum's flux). Usage:
//   column-stats.mjs TABLE.csv RESULT_DIR [--column=NAME] [--bins=N]
// Writes RESULT_DIR/stats.json and RESULT_DIR/histogram.csv; prints "PROGRESS n" lines.
import { createReadStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const [table, resultDir, ...rest] = process.argv.slice(2);
if (!table || !resultDir) {
  console.error('usage: column-stats.mjs TABLE.csv RESULT_DIR [--column=NAME] [--bins=N]');
  process.exit(2);
}
let column = null;
let bins = 20;
for (const opt of rest) {
  if (opt.startsWith('--column=')) column = opt.slice('--column='.length);
  else if (opt.startsWith('--bins=')) bins = Number(opt.slice('--bins='.length));
  else {
    console.error(`unknown option ${opt}`);
    process.exit(2);
  }
}
if (!Number.isInteger(bins) || bins < 1 || bins > 10000) {
  console.error('--bins must be an integer between 1 and 10000');
  process.exit(2);
}

const values = [];
let header = null;
let index = -1;
let lineNo = 0;
const lines = createInterface({ input: createReadStream(table), crlfDelay: Infinity });
for await (const raw of lines) {
  lineNo++;
  const line = raw.trim();
  if (!line || line.startsWith('#')) continue;
  const cells = line.split(/[,;\t]/).map((c) => c.trim());
  if (header === null) {
    const numeric = cells.every((c) => c !== '' && Number.isFinite(Number(c)));
    header = numeric ? cells.map((_, i) => `col${i + 1}`) : cells;
    index = column === null ? header.length - 1 : header.indexOf(column);
    if (index < 0) {
      console.error(`column '${column}' not found; the columns are: ${header.join(', ')}`);
      process.exit(3);
    }
    if (!numeric) continue;
  }
  const v = Number(cells[index]);
  if (cells[index] === undefined || cells[index] === '' || !Number.isFinite(v)) {
    console.error(`line ${lineNo}: '${cells[index] ?? ''}' in column ${header[index]} is not a number`);
    process.exit(3);
  }
  values.push(v);
  if (values.length % 5000 === 0) console.log(`PROGRESS ${Math.min(90, values.length / 1000)}`);
}
if (values.length === 0) {
  console.error('the table has no data rows');
  process.exit(3);
}
values.sort((a, b) => a - b);
const n = values.length;
const mean = values.reduce((s, v) => s + v, 0) / n;
const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / Math.max(1, n - 1);
const quantile = (q) => values[Math.min(n - 1, Math.floor(q * (n - 1)))];
const stats = { column: header[index], count: n, min: values[0], max: values[n - 1], mean, std: Math.sqrt(variance), median: quantile(0.5), p05: quantile(0.05), p95: quantile(0.95) };
const lo = values[0];
const width = (values[n - 1] - lo) / bins || 1;
const counts = new Array(bins).fill(0);
for (const v of values) counts[Math.min(bins - 1, Math.floor((v - lo) / width))]++;
await writeFile(join(resultDir, 'stats.json'), `${JSON.stringify(stats, null, 2)}\n`);
await writeFile(join(resultDir, 'histogram.csv'), `bin_start,bin_end,count\n${counts.map((c, i) => `${lo + i * width},${lo + (i + 1) * width},${c}`).join('\n')}\n`);
console.log('PROGRESS 100');
console.log(`${stats.column}: n=${n} mean=${mean} std=${stats.std}`);
