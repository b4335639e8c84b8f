// Preloaded into the Lethe CLI (node --import) when /usr/bin/time is missing: writes the
// process's peak resident set size, in bytes, to LETHE_BENCH_RSS_FILE as it exits.
import { writeFileSync } from 'node:fs';

const file = process.env.LETHE_BENCH_RSS_FILE;
if (file) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS * 1024)));
