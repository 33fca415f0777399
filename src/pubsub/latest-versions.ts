import type { VersionedSnapshot } from './topics.js';

/**
 * Ids remembered per channel. Snapshots of one row arrive out of order only within a short window
 * (two publishers' connections, a worker outrunning ingest's PENDING: milliseconds), so the most
 * recent ids suffice; the bound keeps a busy organization's channel from growing without end.
 * Clients compare versions too (the UI's live list), so an id forgotten here costs nothing visible.
 */
const REMEMBERED_IDS = 512;

const isVersioned = (message: unknown): message is VersionedSnapshot =>
  typeof message === 'object' && message !== null && typeof (message as VersionedSnapshot).id === 'string' && typeof (message as VersionedSnapshot).version === 'number';

/**
 * The highest version delivered per row id, for the ids most recently seen on one channel.
 * `admit` refuses a snapshot no newer than one already delivered: an older state arriving late
 * (or the same state twice) must never reach a subscriber after a newer one. Messages without a
 * version (organizationDataChanged) always pass.
 */
export class LatestVersions {
  private readonly versions = new Map<string, number>();

  constructor(private readonly capacity = REMEMBERED_IDS) {}

  admit(message: unknown): boolean {
    if (!isVersioned(message)) return true;
    const seen = this.versions.get(message.id);
    if (seen !== undefined && message.version <= seen) return false;
    // Re-inserted so that the Map's order is the order of last use: the oldest id goes first.
    this.versions.delete(message.id);
    this.versions.set(message.id, message.version);
    if (this.versions.size > this.capacity) this.versions.delete(this.versions.keys().next().value!);
    return true;
  }
}
