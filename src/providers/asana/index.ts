export { AsanaClient, asanaClient } from './asana-client.js';
export type { AsanaTask, AsanaTaskInput, AsanaWorkspace } from './asana-schemas.js';
