import { AppError, ErrorCode } from '../errors/app-error.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (value: string): boolean => UUID.test(value);

/**
 * Organization ids reach SQL as a cast to uuid; a malformed one would surface as a database
 * error, so it is refused here with a message the caller can act on.
 */
export function assertOrganizationId(organizationId: string): string {
  if (!isUuid(organizationId)) {
    throw new AppError(ErrorCode.BAD_USER_INPUT, 'organization id must be a UUID');
  }
  return organizationId.toLowerCase();
}
