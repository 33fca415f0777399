import { z } from 'zod';

/** A variable with a bad value (or a missing one production needs). The message names it. */
export class ConfigError extends Error {
  constructor(
    /** The environment variable at fault. */
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

/** Reads one variable; empty strings count as unset (what `FOO=` in a compose file means). */
export const read = (env: NodeJS.ProcessEnv, name: string): string | undefined => {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
};

export function parseWith<T>(schema: z.ZodType<T>, name: string, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new ConfigError(name, result.error.issues[0]?.message ?? 'invalid value');
  return result.data;
}

export const optional = <T>(env: NodeJS.ProcessEnv, name: string, schema: z.ZodType<T>): T | undefined => {
  const value = read(env, name);
  return value === undefined ? undefined : parseWith(schema, name, value);
};

export const httpUrl = z
  .string()
  .refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol), 'must be an http(s) URL');

export const stripTrailingSlash = (url: string): string => url.replace(/\/+$/, '');
