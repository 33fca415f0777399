import type { OrganizationReads } from '../organization-reads.js';

/** Runs a batch under the caller's organization (row-level security); see OrganizationReads. */
export type OrganizationScope = OrganizationReads['run'];

export const organizationScope = (reads: OrganizationReads): OrganizationScope => (work) => reads.run(work);
