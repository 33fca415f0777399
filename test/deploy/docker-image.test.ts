import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { deleteRedisKeys, testRedisPrefix } from '../support/redis.js';
import { TEST_PG_ADMIN_URL, TEST_REDIS_URL, testDatabaseUrl } from '../support/services.js';
import { composeServicesOfImage } from './support/compose.js';
import { assembleStage, readDockerfile, type AssembledStage } from './support/image-assembly.js';

/**
 * The Docker image without Docker (none on the test machines): the runtime stage is assembled
 * from the Dockerfile's own instructions (see image-assembly.ts: exactly the files its COPY lines
 * name, production dependencies as `npm ci --omit=dev` installs them), then run as the image and
 * docker-compose.yml run it: the migrate service's command, the image's CMD (checked with /readyz
 * and the HEALTHCHECK), the worker service's command. NODE_ENV comes from the Dockerfile's ENV.
 *
 * As in the image, the application directory is not writable by the process: directories are
 * made read-only, and when the tests run as root the processes run as `nobody` (root would write
 * anyway), like the image's `USER node`. Only the temporary directory is writable. The stage's
 * node_modules and Node itself are the checkout's: in a checkout others cannot enter (a
 * `mktemp -d` clone is 0700) `nobody` could not start at all, so there the processes run as the
 * current user and only the directory modes stand for the image's read-only files.
 */
const REPOSITORY = path.resolve(import.meta.dirname, '../..');
const IMAGE = 'integrations-subgraph:local';
const NOBODY = 65534;

/** Whether a user other than the owner can reach `directory`: every directory on its path searchable by others. */
async function reachableByOthers(directory: string): Promise<boolean> {
  for (let current = directory; ; current = path.dirname(current)) {
    if (((await stat(current)).mode & 0o001) === 0) return false;
    if (current === path.dirname(current)) return true;
  }
}

let workspace: string;
let runtime: AssembledStage;
let compose: Map<string, string[] | undefined>;
let env: NodeJS.ProcessEnv;
/** The user the processes run as (see above). */
let runAs: { uid: number; gid: number } | undefined;
const redisPrefix = testRedisPrefix('image');
const children: ChildProcess[] = [];

/** Every directory under `root`, made read-only (files are hard links shared with node_modules: left alone). */
async function makeDirectoriesReadOnly(root: string): Promise<void> {
  for (const entry of await readdir(root, { withFileTypes: true })) {
    if (entry.isDirectory()) await makeDirectoriesReadOnly(path.join(root, entry.name));
  }
  await chmod(root, 0o555);
}

async function makeDirectoriesWritable(root: string): Promise<void> {
  await chmod(root, 0o755).catch(() => undefined);
  for (const entry of await readdir(root, { withFileTypes: true }).catch(() => [])) {
    if (entry.isDirectory()) await makeDirectoriesWritable(path.join(root, entry.name));
  }
}

beforeAll(async () => {
  runAs = process.getuid?.() === 0 && (await reachableByOthers(REPOSITORY)) ? { uid: NOBODY, gid: NOBODY } : undefined;
  workspace = await mkdtemp(path.join(tmpdir(), 'docker-image-'));
  await chmod(workspace, 0o755);
  runtime = await assembleStage(await readDockerfile(REPOSITORY), 'runtime', { context: REPOSITORY, workspace: path.join(workspace, 'stages') });
  await makeDirectoriesReadOnly(runtime.root);
  // The container's /tmp (SWC's transform cache goes there).
  const temporary = path.join(workspace, 'tmp');
  await mkdir(temporary);
  await chmod(temporary, 0o1777);
  compose = composeServicesOfImage(await readFile(path.join(REPOSITORY, 'docker-compose.yml'), 'utf8'), IMAGE);

  // As docker-compose.yml's postgres service does, the database exists, empty.
  const databaseName = `${process.env.TEST_RUN_ID}_image_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${databaseName}`);
  await admin.end();

  env = {
    // The image's PATH finds Node 24; here, the one running the tests.
    PATH: `${path.dirname(process.execPath)}:/usr/bin:/bin`,
    HOME: '/nonexistent',
    TMPDIR: temporary,
    ...runtime.env,
    DATABASE_URL: testDatabaseUrl(databaseName),
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: redisPrefix,
    AUTH_JWT_SECRET: randomBytes(32).toString('hex'),
    AUTH_AUDIENCE: 'integrations',
    INTEGRATION_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    // The image's EXPOSE port may be taken on a shared machine: a free one, substituted below.
    PORT: '0',
    LOG_LEVEL: 'info',
  };
}, 180_000);

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await deleteRedisKeys(redisPrefix);
  if (workspace) {
    await makeDirectoriesWritable(workspace);
    await rm(workspace, { recursive: true, force: true });
  }
});

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  /** Resolves with the first match of `pattern` in the output; rejects if the process exits first. */
  waitFor(pattern: RegExp): Promise<RegExpMatchArray>;
}

/** Starts `command` as the container would: in its WORKDIR, with its environment, not as root. */
function start(command: string[]): Started {
  const [executable, ...args] = command;
  const child = spawn(executable === 'node' ? process.execPath : executable!, args, {
    cwd: path.join(runtime.root, runtime.workdir),
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...runAs,
  });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => output,
    exited,
    waitFor: (pattern) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const match = output.match(pattern);
          if (!match) return;
          child.stdout!.off('data', check);
          child.stderr!.off('data', check);
          resolve(match);
        };
        child.stdout!.on('data', check);
        child.stderr!.on('data', check);
        void exited.then((code) => reject(new Error(`${command.join(' ')} exited (${code}) before printing ${pattern}:\n${output}`)));
        check();
      }),
  };
}

/** Runs a command to its end; resolves with its exit code and output. */
async function runToEnd(command: string[]): Promise<{ code: number | null; output: string }> {
  const started = start(command);
  const code = await started.exited;
  return { code, output: started.output() };
}

describe('the runtime stage', () => {
  it('declares what the image runs', () => {
    expect(runtime.env.NODE_ENV).toBe('production');
    expect(runtime.user).toBe('node');
    expect(runtime.exposed).toEqual([4001]);
    expect(runtime.cmd).toBeDefined();
    expect([...compose.keys()].sort()).toEqual(['integrations', 'migrate', 'worker']);
  });

  it('holds every package its code imports as a production dependency', async () => {
    const manifest = JSON.parse(await readFile(path.join(runtime.root, runtime.workdir, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const builtins = new Set(builtinModules);
    const imported = new Map<string, string>();
    const visit = async (directory: string): Promise<void> => {
      for (const entry of await readdir(directory, { withFileTypes: true })) {
        const file = path.join(directory, entry.name);
        if (entry.isDirectory() && entry.name !== 'node_modules' && entry.name !== 'dist') await visit(file);
        if (!entry.isFile() || !/\.(ts|mjs|js)$/.test(entry.name)) continue;
        const source = await readFile(file, 'utf8');
        // Static imports and re-exports (type-only ones are erased), side-effect imports, dynamic imports, register() targets.
        const specifiers = [
          ...source.matchAll(/^\s*(?:import|export)\s+(?!type\s)[^;'"]*?\bfrom\s*['"]([^'"]+)['"]/gm),
          ...source.matchAll(/^\s*import\s*['"]([^'"]+)['"]/gm),
          ...source.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g),
          ...source.matchAll(/\bregister\(\s*['"]([^'"]+)['"]/g),
        ].map((match) => match[1]!);
        for (const specifier of specifiers) {
          if (specifier.startsWith('.') || specifier.startsWith('node:') || builtins.has(specifier)) continue;
          const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!;
          imported.set(name, path.relative(runtime.root, file));
        }
      }
    };
    await visit(path.join(runtime.root, runtime.workdir));
    expect(imported.size).toBeGreaterThan(10);
    const undeclared = [...imported].filter(([name]) => !(name in manifest.dependencies)).map(([name, file]) => `${name} (${file})`);
    expect(undeclared).toEqual([]);
  });
});

describe('the image, run as docker-compose.yml runs it', () => {
  it('migrates an empty database (the migrate service)', async () => {
    const { code, output } = await runToEnd(compose.get('migrate')!);
    expect({ code, output: code === 0 ? '' : output }).toEqual({ code: 0, output: '' });
    expect(output).toMatch(/"msg":"migration applied"/);
    expect(output).toMatch(/"msg":"migrations applied"/);
  }, 60_000);

  it('serves from its CMD: ready, the UI, a passing HEALTHCHECK, and it stops on SIGTERM', async () => {
    expect(compose.get('integrations')).toBeUndefined(); // the replicas run the image's CMD
    const server = start(runtime.cmd!);
    const [, url] = await server.waitFor(/"url":"(http:\/\/[^"]+)\/graphql"/);
    const ready = await fetch(`${url}/readyz`);
    expect({ status: ready.status, body: await ready.json() }).toEqual({ status: 200, body: { status: 'ready', checks: { database: 'up', redis: 'up' } } });
    const page = await fetch(`${url}/`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<div id="root">/);

    const port = new URL(url!).port;
    const healthcheck = runtime.healthcheck!.map((part) => part.replaceAll(`:${runtime.exposed[0]}/`, `:${port}/`));
    expect(healthcheck.join(' ')).toContain(`:${port}/healthz`);
    expect(await runToEnd(healthcheck)).toEqual({ code: 0, output: '' });

    server.child.kill('SIGTERM');
    const code = await server.exited;
    expect({ code, output: code === 0 ? '' : server.output() }).toEqual({ code: 0, output: '' });
  }, 60_000);

  it('runs the webhook worker (the worker service) until SIGTERM', async () => {
    const worker = start(compose.get('worker')!);
    await worker.waitFor(/"msg":"webhook worker started"/);
    worker.child.kill('SIGTERM');
    const code = await worker.exited;
    expect({ code, output: code === 0 ? '' : worker.output() }).toEqual({ code: 0, output: '' });
  }, 60_000);
});
