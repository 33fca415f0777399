import { readFileSync } from 'node:fs';
import { parse, YAMLParseError } from 'yaml';
import { ConfigError } from '../config-values.js';
import { BUILT_IN_PROVIDERS, createProviderRegistry, ProviderEntryError, type ProviderRegistry } from './registry.js';

const VARIABLE = 'PROVIDERS_FILE';

const isPlainObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * Reads `PROVIDERS_FILE`: a YAML or JSON document (YAML 1.2 reads both) mapping provider ids to
 * entries. Returns the entries by id, each with its `id` set from the key. Nothing of the file's
 * content is echoed in errors beyond ids and field names.
 */
function readProvidersFile(path: string): Record<string, Record<string, unknown>> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(VARIABLE, `cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    const where = error instanceof YAMLParseError && error.linePos ? ` at line ${error.linePos[0].line}` : '';
    throw new ConfigError(VARIABLE, `${path} is not valid YAML or JSON${where}`);
  }
  if (document === null || document === undefined) return {};
  if (!isPlainObject(document)) throw new ConfigError(VARIABLE, `${path} must map provider ids to entries (e.g. "zendesk:" followed by its fields)`);
  const entries: Record<string, Record<string, unknown>> = {};
  for (const [id, entry] of Object.entries(document)) {
    if (!isPlainObject(entry)) throw new ConfigError(VARIABLE, `entry "${id}": must be an object of fields`);
    if (entry.id !== undefined && entry.id !== id) throw new ConfigError(VARIABLE, `entry "${id}": id: must be "${id}", its key, or left out`);
    entries[id] = entry;
  }
  return entries;
}

/**
 * The deployment's provider registry: the built-in entries, with `PROVIDERS_FILE`'s entries
 * added (new ids) or merged over them (built-in ids; see `createProviderRegistry`). A bad file
 * throws a `ConfigError` such as `PROVIDERS_FILE: entry "zendesk": tokenUrl: must be an http(s) URL`.
 */
export function loadProviderRegistry(path: string | undefined): ProviderRegistry {
  if (path === undefined) return BUILT_IN_PROVIDERS;
  try {
    return createProviderRegistry(readProvidersFile(path));
  } catch (error) {
    if (error instanceof ProviderEntryError) throw new ConfigError(VARIABLE, error.message);
    throw error;
  }
}
