import { expect } from '@jest/globals';
import { IntegrationError } from '../../../src/resilience/index.js';

/** The `IntegrationError` a call rejects with (fails the test if it resolves or rejects with anything else). */
export async function failureOf(promise: Promise<unknown>): Promise<IntegrationError> {
  const error = await promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(IntegrationError);
  return error as IntegrationError;
}
