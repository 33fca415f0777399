/** The description of every `version` field (types whose changes are pushed by subscriptions). */
export const VERSION_DESCRIPTION =
  'Increases with every change of this object. Subscription messages can arrive out of order (and a query answer can be older than a message): keep the copy with the highest version and ignore older ones.';
