import { BUILT_IN_PROVIDER_ENTRIES } from './catalog/index.js';
import type { ProviderDefinition, ProviderEntryInput } from './provider-definition.js';
import { parseProviderEntry } from './provider-entry-schema.js';

/** Every provider a deployment knows, by id, in the order they are listed. */
export type ProviderRegistry = ReadonlyMap<string, ProviderDefinition>;

/** An entry the schema refuses; the message names the entry and each field at fault. */
export class ProviderEntryError extends Error {
  constructor(
    readonly entryId: string,
    readonly problems: readonly { field: string; message: string }[],
  ) {
    super(`entry "${entryId}": ${problems.map((problem) => `${problem.field}: ${problem.message}`).join('; ')}`);
    this.name = 'ProviderEntryError';
  }
}

function parseEntry(id: string, input: unknown): ProviderDefinition {
  const parsed = parseProviderEntry(input);
  if (!parsed.success) throw new ProviderEntryError(id, parsed.problems);
  return parsed.entry;
}

/**
 * The registry of the built-in entries with `overrides` applied: an override of a built-in id
 * is merged over it field by field (a field given replaces the built-in's field whole; fields
 * left out keep the built-in's value), any other id is a new entry that must be complete. Every
 * resulting entry is parsed by the schema; the first bad one throws a `ProviderEntryError`.
 */
export function createProviderRegistry(
  overrides: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {},
  builtIns: readonly ProviderEntryInput[] = BUILT_IN_PROVIDER_ENTRIES,
): ProviderRegistry {
  const registry = new Map<string, ProviderDefinition>();
  for (const entry of builtIns) {
    if (registry.has(entry.id)) throw new ProviderEntryError(entry.id, [{ field: 'id', message: 'is used by two built-in entries' }]);
    registry.set(entry.id, parseEntry(entry.id, { ...entry, ...overrides[entry.id], id: entry.id }));
  }
  for (const [id, entry] of Object.entries(overrides)) {
    if (!registry.has(id)) registry.set(id, parseEntry(id, { ...entry, id }));
  }
  return registry;
}

/** The built-in entries alone: what a deployment without `PROVIDERS_FILE` knows. */
export const BUILT_IN_PROVIDERS: ProviderRegistry = createProviderRegistry();
