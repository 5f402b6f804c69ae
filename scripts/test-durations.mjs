#!/usr/bin/env node
/**
 * Records how long each test file took, from jest's JSON report, into
 * tests/support/test-durations.json: the order the slowest-first sequencer uses on a machine
 * without jest's cache (CI's clean clone). Files in the report replace their entries; the others
 * keep theirs, so a run of some files updates just those.
 *
 *   npx jest --json --outputFile=/tmp/jest.json <files…>
 *   node scripts/test-durations.mjs /tmp/jest.json
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const [report] = process.argv.slice(2);
if (!report) {
  console.error('usage: node scripts/test-durations.mjs <jest --json report>');
  process.exit(2);
}
const root = path.resolve(import.meta.dirname, '..');
const listPath = path.join(root, 'tests/support/test-durations.json');
const list = JSON.parse(readFileSync(listPath, 'utf8'));
for (const file of JSON.parse(readFileSync(report, 'utf8')).testResults) {
  // A failed file may have stopped early: its time says little about a passing run.
  if (file.status !== 'passed') continue;
  list[path.relative(root, file.name)] = Math.round((file.endTime - file.startTime) / 100) * 100;
}
const sorted = Object.fromEntries(Object.entries(list).sort(([a], [b]) => a.localeCompare(b)));
writeFileSync(listPath, `${JSON.stringify(sorted, null, 2)}\n`);
console.log(`${Object.keys(sorted).length} files in ${path.relative(root, listPath)}`);
