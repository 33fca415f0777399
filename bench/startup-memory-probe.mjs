// Loaded into every Node process bench/startup.ts starts (NODE_OPTIONS=--import): the server
// (src/main.ts) announces its pid, and on SIGUSR2 writes its memory as Node and V8 see it, so
// the bench can set RSS beside the JavaScript heap and the memory outside it.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';

const directory = process.env.BENCH_STARTUP_REPORT_DIR;
if (directory && process.argv[1]?.endsWith(path.join('src', 'main.ts'))) {
  writeFileSync(path.join(directory, 'server.pid'), String(process.pid));
  process.on('SIGUSR2', () => {
    const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().map((space) => [space.space_name, space.space_used_size]));
    writeFileSync(path.join(directory, `memory-${process.pid}.json`), JSON.stringify({ usage: process.memoryUsage(), spaces }));
  });
}
