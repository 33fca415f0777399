import { copyFile, link, lstat, mkdir, readdir, readFile, readlink, symlink } from 'node:fs/promises';
import path from 'node:path';

/**
 * `.dockerignore` as Docker reads it: patterns relative to the context root, `*` and `?` within a
 * path segment, `**` across segments, `!` re-including, the last matching pattern deciding; a
 * pattern that matches a directory excludes everything under it.
 */
export function dockerignoreMatcher(text: string): (relativePath: string) => boolean {
  const rules = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const negated = line.startsWith('!');
      const pattern = path.posix.normalize((negated ? line.slice(1) : line).trim()).replace(/^\/+|\/+$/g, '');
      const source = pattern
        .split(/(\*\*|\*|\?)/)
        .map((part) => (part === '**' ? '.*' : part === '*' ? '[^/]*' : part === '?' ? '[^/]' : part.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
        .join('');
      return { negated, regex: new RegExp(`^${source}(/.*)?$`) };
    });
  return (relativePath) => {
    let ignored = false;
    for (const rule of rules) if (rule.regex.test(relativePath)) ignored = !rule.negated;
    return ignored;
  };
}

/** Every file of the build context `docker build <root>` sends: the directory, minus `.dockerignore`. */
export async function buildContextFiles(root: string): Promise<string[]> {
  const ignored = dockerignoreMatcher(await readFile(path.join(root, '.dockerignore'), 'utf8').catch(() => ''));
  const files: string[] = [];
  const walk = async (relative: string): Promise<void> => {
    for (const entry of await readdir(path.join(root, relative), { withFileTypes: true })) {
      const child = relative ? `${relative}/${entry.name}` : entry.name;
      if (ignored(child)) continue;
      if (entry.isDirectory()) await walk(child);
      else files.push(child);
    }
  };
  await walk('');
  return files.sort();
}

/**
 * Copies a tree, hard-linking files when `hardLink` (same file system: fast, and nothing is
 * duplicated), keeping symbolic links as links, and leaving out what `skip` names (paths relative
 * to `source`).
 */
export async function copyTree(source: string, destination: string, options: { hardLink?: boolean; skip?: (relative: string) => boolean } = {}): Promise<void> {
  const copyEntry = async (relative: string): Promise<void> => {
    const from = path.join(source, relative);
    const to = path.join(destination, relative);
    const stats = await lstat(from);
    if (stats.isDirectory()) {
      await mkdir(to, { recursive: true });
      for (const name of await readdir(from)) {
        const child = relative ? path.join(relative, name) : name;
        if (!options.skip?.(child)) await copyEntry(child);
      }
    } else if (stats.isSymbolicLink()) {
      await symlink(await readlink(from), to);
    } else if (options.hardLink) {
      await link(from, to).catch(async (error: NodeJS.ErrnoException) => {
        if (error.code !== 'EXDEV') throw error;
        await copyFile(from, to);
      });
    } else {
      await copyFile(from, to);
    }
  };
  await mkdir(path.dirname(destination), { recursive: true });
  await copyEntry('');
}
