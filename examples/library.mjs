// The library in a few lines: fit on the example headlines, predict, score. Run after `npm run build`:
//   node examples/library.mjs
import { readFileSync } from 'node:fs';
import { GzipKnnClassifier } from '../dist/index.js';

const read = (name) =>
  readFileSync(new URL(name, import.meta.url), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
const train = read('./headlines.jsonl');
const test = read('./headlines-test.jsonl');

const clf = new GzipKnnClassifier({ k: 2 }).fit(
  train.map((r) => r.text),
  train.map((r) => r.label),
);
console.log(clf.predict(['Shares slump as the bank raises rates', 'The striker scores a late winner']));
console.log(
  'strict accuracy on the example test set:',
  clf.score(
    test.map((r) => r.text),
    test.map((r) => r.label),
  ),
);
console.log(
  'lenient (the paper):',
  clf.lenientScore(
    test.map((r) => r.text),
    test.map((r) => r.label),
  ),
);
