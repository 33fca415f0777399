import { spawn } from 'node:child_process';
import { mkdir, readFile, stat, symlink } from 'node:fs/promises';
import path from 'node:path';
import { buildContextFiles, copyTree } from './build-context.js';
import { parseCopy, parseDockerfile, parseEnv, parseExecForm, parseHealthcheck, type DockerStage } from './dockerfile.js';
import { assembleProductionDependencies } from './production-dependencies.js';

/** What a stage leaves for `docker run`: its files (under `root`), and how to start it. */
export interface AssembledStage {
  /** The stage's file system: `/app` of the image is `<root>/app`. */
  root: string;
  workdir: string;
  env: Record<string, string>;
  cmd: string[] | undefined;
  healthcheck: string[] | undefined;
  user: string | undefined;
  exposed: number[];
}

export interface AssemblyOptions {
  /** The build context (the repository). */
  context: string;
  /** Where the stages' file systems are made, one directory per stage. */
  workspace: string;
}

/**
 * Builds a stage of the Dockerfile without Docker: runs its instructions against a directory.
 * COPY copies exactly what it names, from the build context (minus `.dockerignore`) or from
 * another stage (assembled first); RUN is emulated for the commands this project's Dockerfile
 * uses and refused otherwise, so a new RUN cannot slip past untested:
 * - `npm ci` (all dependencies, in a build stage): the repository's `node_modules`, linked;
 * - `npm ci --omit=dev`: `assembleProductionDependencies`;
 * - `npm run <script>`: run in the stage's working directory.
 */
export async function assembleStage(dockerfile: string, stageName: string, options: AssemblyOptions): Promise<AssembledStage> {
  const stages = parseDockerfile(dockerfile);
  const assembled = new Map<string, AssembledStage>();
  const contextFiles = await buildContextFiles(options.context);

  const build = async (stage: DockerStage): Promise<AssembledStage> => {
    if (stages.some((other) => other.name === stage.from)) throw new Error(`FROM another stage (${stage.from}) is not emulated`);
    const root = path.join(options.workspace, stage.name ?? 'unnamed');
    const state: AssembledStage = { root, workdir: '/', env: {}, cmd: undefined, healthcheck: undefined, user: undefined, exposed: [] };
    await mkdir(root, { recursive: true });
    const inStage = (imagePath: string) => path.join(root, path.posix.resolve(state.workdir, imagePath));

    for (const { keyword, args } of stage.instructions) {
      switch (keyword) {
        case 'WORKDIR':
          state.workdir = path.posix.resolve(state.workdir, args.trim());
          await mkdir(inStage('.'), { recursive: true });
          break;
        case 'ENV':
          Object.assign(state.env, parseEnv(args));
          break;
        case 'ARG':
          break; // build arguments only reach RUN commands, which say what they need
        case 'COPY': {
          const copy = parseCopy(args);
          const multiple = copy.sources.length > 1 || copy.destination.endsWith('/');
          for (const source of copy.sources) {
            if (copy.from !== undefined) {
              const from = await stageNamed(copy.from);
              const origin = path.join(from.root, path.posix.resolve(from.workdir, source));
              // A directory's contents are copied, a file into the destination (a directory when it ends with / or there are several sources).
              const isFile = !(await stat(origin)).isDirectory();
              await copyTree(origin, isFile && multiple ? path.join(inStage(copy.destination), path.basename(origin)) : inStage(copy.destination));
            } else {
              await copyFromContext(source, copy.destination, multiple);
            }
          }
          break;
        }
        case 'RUN':
          await emulateRun(args.trim(), inStage('.'));
          break;
        case 'CMD':
          state.cmd = parseExecForm(args);
          break;
        case 'HEALTHCHECK':
          state.healthcheck = parseHealthcheck(args);
          break;
        case 'USER':
          state.user = args.trim();
          break;
        case 'EXPOSE':
          state.exposed.push(...args.trim().split(/\s+/).map((port) => Number.parseInt(port, 10)));
          break;
        default:
          throw new Error(`${keyword} is not emulated: teach test/deploy/support/image-assembly.ts`);
      }
    }
    return state;

    async function copyFromContext(source: string, destination: string, multiple: boolean): Promise<void> {
      const normalized = path.posix.normalize(source).replace(/\/+$/, '');
      const prefix = normalized === '.' ? '' : normalized;
      const selected = contextFiles.filter((file) => prefix === '' || file === prefix || file.startsWith(`${prefix}/`));
      if (selected.length === 0) throw new Error(`COPY ${source}: not in the build context (missing, or excluded by .dockerignore)`);
      for (const file of selected) {
        const isDirectoryCopy = file !== prefix;
        const relative = isDirectoryCopy ? file.slice(prefix === '' ? 0 : prefix.length + 1) : multiple ? path.posix.basename(file) : '';
        await copyTree(path.join(options.context, file), path.join(inStage(destination), relative));
      }
    }
  };

  const stageNamed = async (name: string): Promise<AssembledStage> => {
    const existing = assembled.get(name);
    if (existing) return existing;
    const stage = stages.find((candidate) => candidate.name === name);
    if (!stage) throw new Error(`no stage named ${name} in the Dockerfile`);
    const result = await build(stage);
    assembled.set(name, result);
    return result;
  };

  const emulateRun = async (command: string, cwd: string): Promise<void> => {
    for (const step of command.split('&&').map((part) => part.trim())) {
      if (/^npm ci --omit=dev\b/.test(step)) {
        await assembleProductionDependencies(path.join(cwd, 'package-lock.json'), options.context, cwd);
      } else if (/^npm ci\b/.test(step)) {
        await symlink(path.join(options.context, 'node_modules'), path.join(cwd, 'node_modules'));
      } else if (/^npm cache clean\b/.test(step)) {
        // nothing cached here
      } else if (/^npm run [\w:-]+$/.test(step)) {
        await run('npm', step.split(' ').slice(1), cwd);
      } else {
        throw new Error(`RUN ${step} is not emulated: teach test/deploy/support/image-assembly.ts`);
      }
    }
  };

  return stageNamed(stageName);
}

function run(command: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited ${code}:\n${output}`))));
  });
}

/** Reads the Dockerfile at the context's root. */
export const readDockerfile = (context: string): Promise<string> => readFile(path.join(context, 'Dockerfile'), 'utf8');
