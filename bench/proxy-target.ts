/**
 * The service under test for `bench/proxy.ts`, in a process of its own: the real composition root
 * (`createApp`) on the bench's database, without the queue worker (its polling would add
 * statements that are not the proxy's). Prints `ready <port>` when listening; answers the IPC
 * message `statements` with the number of SQL statements run so far; on SIGTERM closes and
 * exits, so `--cpu-prof` (BENCH_PROF_DIR) is written.
 */
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';

const env = JSON.parse(process.argv[2]!) as Record<string, string>;
let statements = 0;
const app = await createApp(loadConfig(env), { webhookWorker: false, clientDir: '/nonexistent', database: { onQuery: () => void statements++ } });
const url = await app.listen(0, '127.0.0.1');
process.on('message', (message) => {
  if (message === 'statements') process.send!({ statements });
});
process.on('SIGTERM', () => {
  void app.close().finally(() => process.exit(0));
});
process.stdout.write(`ready ${new URL(url).port}\n`);
