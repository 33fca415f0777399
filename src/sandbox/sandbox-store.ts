import { randomBytes, randomUUID } from 'node:crypto';

export interface SandboxItem {
  id: string;
  title: string;
  createdAt: string;
}

/** A webhook subscription at the sandbox: where its deliveries go, signed with its secret, until it expires. */
export interface SandboxSubscription {
  id: string;
  accountId: string;
  resource: string;
  url: string;
  /** Standard Webhooks secret (`whsec_` + base64 of 24 random bytes). */
  secret: string;
  expiresAt: Date;
}

/**
 * The sandbox's data: accounts (a name each), their items and their webhook subscriptions. Kept
 * in memory, like the authorization server's grants: the sandbox is a development stand-in,
 * and a restart forgets everything (connections made before it need connecting again).
 */
export class SandboxStore {
  private readonly names = new Map<string, string>();
  private readonly items = new Map<string, SandboxItem[]>();
  private readonly subscriptions = new Map<string, SandboxSubscription>();

  constructor(private readonly clock: () => number = Date.now) {}

  /** Signs `name` in: its account id is the name made URL-safe, so the same name is the same account. */
  signIn(name: string): string {
    const accountId = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'sandbox-user';
    this.names.set(accountId, name);
    return accountId;
  }

  nameOf(accountId: string): string {
    return this.names.get(accountId) ?? accountId;
  }

  itemsOf(accountId: string): readonly SandboxItem[] {
    return this.items.get(accountId) ?? [];
  }

  addItem(accountId: string, title: string): SandboxItem {
    const item = { id: randomUUID(), title, createdAt: new Date(this.clock()).toISOString() };
    this.items.set(accountId, [...this.itemsOf(accountId), item]);
    return item;
  }

  createSubscription(accountId: string, resource: string, url: string, lifetimeMs: number): SandboxSubscription {
    const subscription = {
      id: randomUUID(),
      accountId,
      resource,
      url,
      secret: `whsec_${randomBytes(24).toString('base64')}`,
      expiresAt: new Date(this.clock() + lifetimeMs),
    };
    this.subscriptions.set(subscription.id, subscription);
    return subscription;
  }

  /** The account's live subscription with this id; an expired one is gone, as at a real provider. */
  liveSubscription(accountId: string, id: string): SandboxSubscription | undefined {
    const subscription = this.subscriptions.get(id);
    if (!subscription || subscription.accountId !== accountId) return undefined;
    if (subscription.expiresAt.getTime() <= this.clock()) {
      this.subscriptions.delete(id);
      return undefined;
    }
    return subscription;
  }

  renewSubscription(accountId: string, id: string, lifetimeMs: number): SandboxSubscription | undefined {
    const subscription = this.liveSubscription(accountId, id);
    if (subscription) subscription.expiresAt = new Date(this.clock() + lifetimeMs);
    return subscription;
  }

  deleteSubscription(accountId: string, id: string): boolean {
    return this.liveSubscription(accountId, id) !== undefined && this.subscriptions.delete(id);
  }

  /** Who hears about a change of the account's `resource`: its subscriptions that have not expired. */
  subscribersOf(accountId: string, resource: string): SandboxSubscription[] {
    return [...this.subscriptions.values()].filter(
      (subscription) => subscription.accountId === accountId && subscription.resource === resource && this.liveSubscription(accountId, subscription.id),
    );
  }
}
