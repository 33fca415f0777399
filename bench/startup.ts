/**
 * Start-up benchmark (run by hand: `npm run bench:startup`): how long the service takes from the
 * command to a 200 from /readyz, and how much memory it holds once idle, as users start it:
 *
 *  - development, `npm start` (the README's command: the UI build, then the server on the
 *    embedded PostgreSQL): fresh (a new DATA_DIR and a cold transform cache, as on a fresh
 *    clone) and warm (the same again);
 *  - production, the image's command (`node --import ./scripts/register.mjs src/main.ts`,
 *    NODE_ENV=production) on this machine's PostgreSQL (a database of its own, migrated by the
 *    first start) and Redis: fresh (cold transform cache) and warm;
 *  - baselines from the same run: a bare Node process, and one that only loads the TypeScript
 *    loader (scripts/register.mjs).
 *
 * For each: time to ready, idle RSS (after BENCH_IDLE_SECONDS, default 10), split into anonymous
 * and file-backed (mapped code: Node, SWC's native binding) resident pages, beside what V8 says
 * it holds: its heap (used, and committed, not all of which is resident) and `external` memory
 * (array buffers, and WebAssembly memory such as the embedded PostgreSQL's, PGlite).
 * Environment: BENCH_PG_ADMIN_URL, BENCH_REDIS_URL, BENCH_IDLE_SECONDS, BENCH_RUNS (default 1).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { freePort } from '../test/support/free-port.js';

const ADMIN_URL = process.env.BENCH_PG_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 10);
const RUNS = Number(process.env.BENCH_RUNS ?? 1);
const ROOT = path.resolve(import.meta.dirname, '..');
const PROBE = path.join(import.meta.dirname, 'startup-memory-probe.mjs');
const MiB = 1024 * 1024;

interface Measurement {
  readyMs: number;
  rss: number;
  anon: number;
  file: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resident memory of a process from /proc, in bytes. */
async function residentOf(pid: number): Promise<{ rss: number; anon: number; file: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kib('VmRSS'), anon: kib('RssAnon'), file: kib('RssFile') + kib('RssShmem') };
}

/** Starts `command`, waits for /readyz, idles, then measures the server process and stops everything. */
async function measure(command: string[], env: NodeJS.ProcessEnv): Promise<Measurement> {
  const reports = await mkdtemp(path.join(tmpdir(), 'bench-startup-report-'));
  const port = await freePort();
  const started = Date.now();
  const child: ChildProcess = spawn(command[0]!, command.slice(1), {
    cwd: ROOT,
    env: { ...env, PORT: String(port), BENCH_STARTUP_REPORT_DIR: reports, NODE_OPTIONS: `--import=${PROBE}` },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${command.join(' ')} exited ${child.exitCode}:\n${output}`);
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`).then(
        (response) => response.ok,
        () => false,
      );
      if (ready) break;
      if (Date.now() - started > 180_000) throw new Error(`not ready within 180 s:\n${output}`);
      await sleep(50);
    }
    const readyMs = Date.now() - started;
    await sleep(IDLE_SECONDS * 1000);
    const pid = Number(await readFile(path.join(reports, 'server.pid'), 'utf8'));
    const resident = await residentOf(pid);
    process.kill(pid, 'SIGUSR2');
    let report: { usage: NodeJS.MemoryUsage } | undefined;
    for (let tries = 0; tries < 100 && !report; tries += 1) {
      await sleep(50);
      report = await readFile(path.join(reports, `memory-${pid}.json`), 'utf8').then((text) => JSON.parse(text) as { usage: NodeJS.MemoryUsage }, () => undefined);
    }
    if (!report) throw new Error('the server wrote no memory report');
    return { readyMs, ...resident, heapTotal: report.usage.heapTotal, heapUsed: report.usage.heapUsed, external: report.usage.external, arrayBuffers: report.usage.arrayBuffers };
  } finally {
    if (child.exitCode === null) {
      process.kill(-child.pid!, 'SIGTERM');
      const exited = new Promise((resolve) => child.once('exit', resolve));
      if ((await Promise.race([exited.then(() => true), sleep(30_000).then(() => false)])) === false) process.kill(-child.pid!, 'SIGKILL');
    }
    await rm(reports, { recursive: true, force: true });
  }
}

/** Idle RSS of a Node process that does `code` (no server): the baselines. */
async function baselineRss(args: string[]): Promise<number> {
  const child = spawn(process.execPath, [...args, '-e', 'process.stdout.write("up\\n"); setTimeout(() => {}, 60_000)'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
  await sleep(2000);
  const { rss } = await residentOf(child.pid!);
  child.kill();
  return rss;
}

const mib = (bytes: number) => `${(bytes / MiB).toFixed(0)} MiB`;

function print(label: string, m: Measurement): void {
  console.log(
    `${label.padEnd(32)} ready ${(m.readyMs / 1000).toFixed(1).padStart(5)} s   idle RSS ${mib(m.rss).padStart(8)}:` +
      ` anonymous ${mib(m.anon)} (V8 heap ${mib(m.heapUsed)} used of ${mib(m.heapTotal)} committed; external ${mib(m.external)},` +
      ` of which array buffers ${mib(m.arrayBuffers)}), file-backed ${mib(m.file)}`,
  );
}

async function main(): Promise<void> {
  const base = { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'warn' };
  console.log(`start-up benchmark: ready = command to the first 200 from /readyz; RSS after ${IDLE_SECONDS} s idle (shared machine: noisy)`);
  const bare = await baselineRss([]);
  const loader = await baselineRss(['--import', './scripts/register.mjs']);
  console.log(`baseline: bare Node ${mib(bare)}, Node with the TypeScript loader (scripts/register.mjs) ${mib(loader)}`);

  const name = `bench_startup_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const databaseUrl = new URL(ADMIN_URL);
  databaseUrl.pathname = `/${name}`;
  const redisPrefix = `bench-startup-${randomBytes(4).toString('hex')}`;
  try {
    for (let run = 1; run <= RUNS; run += 1) {
      const dataDir = await mkdtemp(path.join(tmpdir(), 'bench-startup-data-'));
      // SWC's transform cache lives under the temporary directory: a new one is a cold cache.
      const developmentTmp = await mkdtemp(path.join(tmpdir(), 'bench-startup-tmp-'));
      const productionTmp = await mkdtemp(path.join(tmpdir(), 'bench-startup-tmp-'));
      try {
        const development = { ...base, DATA_DIR: dataDir, TMPDIR: developmentTmp };
        print(`development, npm start, fresh`, await measure(['npm', 'start'], development));
        print(`development, npm start, warm`, await measure(['npm', 'start'], development));
        const production = {
          ...base,
          TMPDIR: productionTmp,
          NODE_ENV: 'production',
          DATABASE_URL: databaseUrl.toString(),
          REDIS_URL,
          REDIS_PREFIX: redisPrefix,
          AUTH_JWT_SECRET: randomBytes(32).toString('hex'),
          AUTH_AUDIENCE: 'integrations',
          INTEGRATION_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
        };
        const imageCommand = [process.execPath, '--import', './scripts/register.mjs', 'src/main.ts'];
        print(`production, image CMD, fresh`, await measure(imageCommand, production));
        print(`production, image CMD, warm`, await measure(imageCommand, production));
      } finally {
        for (const directory of [dataDir, developmentTmp, productionTmp]) await rm(directory, { recursive: true, force: true });
      }
    }
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
    const redis = new Redis(REDIS_URL);
    for await (const keys of redis.scanStream({ match: `${redisPrefix}:*`, count: 500 })) if ((keys as string[]).length > 0) await redis.unlink(...(keys as string[]));
    redis.disconnect();
  }
}

await main();
