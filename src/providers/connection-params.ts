import { AppError, ErrorCode } from '../errors/app-error.js';
import { wholeValue } from './provider-entry-schema.js';
import type { ConnectionParams, ResolvedProvider } from './resolve-provider.js';

/**
 * The values a user gave for a provider's `connectionParams` (`startConnection`), checked against
 * the entry: every declared param present and matching its pattern, nothing undeclared. Refused
 * with BAD_USER_INPUT whose `details.connectionParams` maps each bad name to what is wrong with
 * it (for a form to show by its field); values are never repeated back.
 */
export function validateConnectionParams(provider: ResolvedProvider, given: Readonly<Record<string, unknown>> | null | undefined): ConnectionParams {
  const values = given ?? {};
  /** By name: what is wrong (for the message), and the same with what to enter (for a form). */
  const problems: Record<string, { summary: string; detail: string }> = {};
  const accepted: Record<string, string> = {};
  for (const param of provider.definition.connectionParams) {
    const value = values[param.name];
    if (value === undefined || value === null || value === '') problems[param.name] = { summary: 'is required', detail: `is required: ${param.description}` };
    else if (typeof value !== 'string' || !wholeValue(param.pattern).test(value.trim())) problems[param.name] = { summary: 'is not valid', detail: `is not valid: ${param.description}` };
    else accepted[param.name] = value.trim();
  }
  const declared = new Set(provider.definition.connectionParams.map((param) => param.name));
  for (const name of Object.keys(values)) {
    if (!declared.has(name)) problems[name] = { summary: 'is not a connection param', detail: `is not a connection param of ${provider.name}` };
  }
  const names = Object.keys(problems);
  if (names.length > 0) {
    throw new AppError(
      ErrorCode.BAD_USER_INPUT,
      `${provider.name}: ${names.map((name) => `${name} ${problems[name]!.summary}`).join('; ')}`,
      { connectionParams: Object.fromEntries(names.map((name) => [name, problems[name]!.detail])) },
    );
  }
  return accepted;
}
