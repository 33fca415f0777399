import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface ServerProcess {
  readonly child: ChildProcess;
  /** Everything it printed, stdout and stderr. */
  output(): string;
  /** Resolves with the first match of `pattern` in the output; rejects when the process exits first. */
  waitForOutput(pattern: RegExp): Promise<RegExpMatchArray>;
  /** Resolves with the exit code (null when killed by a signal) once the process has exited. */
  readonly exited: Promise<number | null>;
  /** SIGKILL to it and every process it started (its process group), unless it has exited. */
  kill(): Promise<void>;
}

/**
 * Starts a command of this repository (`npm run start`, or node on an entry) with exactly `env`
 * plus PATH and HOME: nothing of the test runner's environment leaks in.
 */
export function startServerProcess(command: string, args: string[], env: NodeJS.ProcessEnv): ServerProcess {
  const child = spawn(command, args, {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // A group of its own, so `kill` also reaches a child it left behind.
    detached: true,
  });
  let output = '';
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer) => {
    output += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => output,
    exited,
    waitForOutput(pattern) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = output.match(pattern);
          if (!match) return;
          listeners.delete(check);
          resolve(match);
        };
        listeners.add(check);
        check();
        void exited.then((code) => {
          if (!listeners.delete(check)) return;
          reject(new Error(`exited (${code}) before printing ${pattern}: ${output.slice(-3000)}`));
        });
      });
    },
    async kill() {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        return; // the group is gone
      }
      await exited;
    },
  };
}

/** `src/main.ts` run by node directly; resolves with the process and its URL once it listens. */
export async function startServerMain(env: NodeJS.ProcessEnv): Promise<{ server: ServerProcess; url: string }> {
  const server = startServerProcess(process.execPath, ['--import', './scripts/register.mjs', 'src/main.ts'], env);
  const [, url] = await server.waitForOutput(/"url":"(http:\/\/[^"]+)\/graphql"/);
  return { server, url: url! };
}

/** Whether something accepts connections on the loopback port. */
export function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
