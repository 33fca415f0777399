import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { copyTree } from './build-context.js';

interface LockedPackage {
  version?: string;
  dev?: boolean;
  optional?: boolean;
  extraneous?: boolean;
  link?: boolean;
}

/**
 * The `node_modules` that `npm ci --omit=dev` makes from `lockfilePath`, built from the packages
 * already installed under `installedRoot` (hard links, so it takes seconds and no network): every
 * locked package not marked `dev` (npm keeps `devOptional` ones with `--omit=dev`), at the path the
 * lockfile gives it, without its nested `node_modules` (their own entries place those). A real
 * directory tree, not links to the repository's: Node resolves a module from where its file
 * really is, so a package needing a dev-only package fails here as it would in the image.
 *
 * What it does not prove: that the registry serves these packages, that their install scripts
 * succeed on the image's system, or anything about `.bin` links (the image starts `node` itself).
 * Optional packages that are not installed here (other platforms' binaries) are left out, as npm
 * leaves them out on this platform.
 */
export async function assembleProductionDependencies(lockfilePath: string, installedRoot: string, destinationRoot: string): Promise<number> {
  const lock = JSON.parse(await readFile(lockfilePath, 'utf8')) as { lockfileVersion: number; packages: Record<string, LockedPackage> };
  if (lock.lockfileVersion < 2) throw new Error('package-lock.json predates lockfileVersion 2 (no "packages")');
  let assembled = 0;
  for (const [location, locked] of Object.entries(lock.packages)) {
    if (location === '' || locked.dev || locked.extraneous) continue;
    if (locked.link) throw new Error(`${location} is a link (workspace); not emulated`);
    const installed = path.join(installedRoot, location);
    const present = await access(path.join(installed, 'package.json')).then(
      () => true,
      () => false,
    );
    if (!present) {
      if (locked.optional) continue;
      throw new Error(`${location} is locked but not installed: node_modules does not match package-lock.json (npm install)`);
    }
    const { version } = JSON.parse(await readFile(path.join(installed, 'package.json'), 'utf8')) as { version?: string };
    if (locked.version !== undefined && version !== locked.version) {
      throw new Error(`${location} is ${version} in node_modules but ${locked.version} in package-lock.json (npm install)`);
    }
    await copyTree(installed, path.join(destinationRoot, location), { hardLink: true, skip: (relative) => relative === 'node_modules' });
    assembled += 1;
  }
  return assembled;
}
