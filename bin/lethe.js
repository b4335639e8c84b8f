#!/usr/bin/env node
import { main } from '../dist/lethe.js';

const code = await main(process.argv);
process.exitCode = code;
// Exit explicitly: a dependency's exit hook could turn a failing code into 0, and an idle
// handle must not keep the process alive. Piped output is flushed first, never truncated.
const flushed = (stream) =>
  stream.writableLength === 0 ||
  new Promise((resolve) => ['drain', 'error', 'close'].forEach((event) => stream.once(event, resolve)));
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
process.exit(code);
