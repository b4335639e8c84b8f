/**
 * `npm run bench:start`: how long the built CLI takes to start, as multiples of `node -e 0`
 * in the same run (targets: --help at most 2x, validate of the Bench3D rules at most 3x).
 * No database needed. `--cli PATH` measures another build, `--repeat N` changes the sample.
 */
import { parseArgs } from 'node:util';
import { loadAverage1m } from './measure.js';
import { describeCliStart, measureCliStart } from './measure-cli-start.js';

const { values } = parseArgs({ options: { cli: { type: 'string', default: 'bin/lethe.js' }, repeat: { type: 'string', default: '9' }, format: { type: 'string', default: 'text' } } });
const loadBefore = loadAverage1m();
const start = measureCliStart(values.cli, Number(values.repeat));
if (values.format === 'json') {
  process.stdout.write(JSON.stringify({ ...start, helpRatio: start.helpSeconds / start.baselineSeconds, validateRatio: start.validateSeconds / start.baselineSeconds, loadAverage: [loadBefore, loadAverage1m()] }, null, 2) + '\n');
} else {
  process.stdout.write(`${describeCliStart(start)}; load ${loadBefore} -> ${loadAverage1m()}\n`);
}
