/**
 * Just enough of the Dockerfile syntax to read this project's Dockerfile: instructions with line
 * continuations and comments, stages, COPY's flags and sources, exec-form CMD and HEALTHCHECK, ENV.
 * Anything else it meets is reported as unknown by the image assembly, never skipped silently.
 */
export interface DockerInstruction {
  keyword: string;
  args: string;
}

export interface DockerStage {
  /** `AS <name>`, when given. */
  name: string | undefined;
  /** The image or stage it starts from. */
  from: string;
  instructions: DockerInstruction[];
}

export interface CopyInstruction {
  /** `--from=<stage>`: a stage's filesystem instead of the build context. */
  from: string | undefined;
  sources: string[];
  destination: string;
}

export function parseDockerfile(text: string): DockerStage[] {
  const logical: string[] = [];
  let pending = '';
  for (const line of text.split('\n')) {
    // Comments (and parser directives) are whole lines; they may sit inside a continuation.
    if (/^\s*#/.test(line)) continue;
    const continued = /\\\s*$/.test(line);
    pending += `${continued ? line.replace(/\\\s*$/, '') : line} `;
    if (continued) continue;
    if (pending.trim()) logical.push(pending.trim());
    pending = '';
  }
  if (pending.trim()) logical.push(pending.trim());

  const stages: DockerStage[] = [];
  for (const line of logical) {
    const [, keyword = '', args = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const upper = keyword.toUpperCase();
    if (upper === 'FROM') {
      const match = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      if (!match) throw new Error(`cannot read FROM ${args}`);
      stages.push({ from: match[1]!, name: match[2], instructions: [] });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) throw new Error(`${upper} before any FROM`);
    stage.instructions.push({ keyword: upper, args });
  }
  return stages;
}

/** COPY's arguments, in shell form (`--from=build a b ./`) or JSON form (`["a", "./"]`). */
export function parseCopy(args: string): CopyInstruction {
  let rest = args.trim();
  let from: string | undefined;
  for (let flag = /^--([a-z-]+)(?:=(\S+))?\s+/.exec(rest); flag; flag = /^--([a-z-]+)(?:=(\S+))?\s+/.exec(rest)) {
    if (flag[1] === 'from') from = flag[2];
    else if (!['chown', 'chmod', 'link'].includes(flag[1]!)) throw new Error(`COPY --${flag[1]} is not understood`);
    rest = rest.slice(flag[0].length);
  }
  const paths = rest.startsWith('[') ? (JSON.parse(rest) as string[]) : rest.split(/\s+/);
  if (paths.length < 2) throw new Error(`COPY needs a source and a destination: ${args}`);
  return { from, sources: paths.slice(0, -1), destination: paths.at(-1)! };
}

/** An exec-form command (`["node", "x.ts"]`); the shell form would run through /bin/sh. */
export function parseExecForm(args: string): string[] {
  if (!args.trim().startsWith('[')) throw new Error(`expected an exec-form command (a JSON array): ${args}`);
  return JSON.parse(args) as string[];
}

/** `ENV A=1 B="two"` (and the legacy `ENV A 1`). */
export function parseEnv(args: string): Record<string, string> {
  const legacy = /^([A-Za-z_][A-Za-z0-9_]*)\s+([^=]*)$/.exec(args);
  if (legacy) return { [legacy[1]!]: legacy[2]!.trim() };
  const env: Record<string, string> = {};
  for (const match of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|\S*)/g)) {
    env[match[1]!] = match[2]!.startsWith('"') ? (JSON.parse(match[2]!) as string) : match[2]!;
  }
  return env;
}

/** HEALTHCHECK's command: its options, then `CMD` in exec form. */
export function parseHealthcheck(args: string): string[] {
  const match = /^(?:--\S+\s+)*CMD\s+(.*)$/i.exec(args.trim());
  if (!match) throw new Error(`cannot read HEALTHCHECK ${args}`);
  return parseExecForm(match[1]!);
}
