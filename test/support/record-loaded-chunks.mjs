// `node --import ./record-loaded-chunks.mjs …`: appends every ES module URL the process loads to
// the file named by LETHE_LOADED_CHUNKS, one per line (resolve hooks run off the main thread).
import { register } from 'node:module';

register(
  `data:text/javascript,${encodeURIComponent(`
    import { appendFileSync } from 'node:fs';
    export async function resolve(specifier, context, next) {
      const result = await next(specifier, context);
      appendFileSync(${JSON.stringify(process.env.LETHE_LOADED_CHUNKS)}, result.url + '\\n');
      return result;
    }`)}`,
);
