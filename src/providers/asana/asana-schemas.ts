import { z } from 'zod';

/** https://developers.asana.com/reference/workspaces */
export const asanaWorkspaceSchema = z.looseObject({ gid: z.string(), name: z.string(), resource_type: z.string().optional() });
export type AsanaWorkspace = z.infer<typeof asanaWorkspaceSchema>;

/** Asana wraps every answer in `data`; lists add `next_page` (null on the last page): https://developers.asana.com/docs/pagination */
export const asanaWorkspacePageSchema = z.object({
  data: z.array(asanaWorkspaceSchema),
  next_page: z.looseObject({ offset: z.string() }).nullish(),
});

/** https://developers.asana.com/reference/createtask */
export const asanaTaskSchema = z.looseObject({ gid: z.string(), name: z.string().optional(), permalink_url: z.string().optional() });
export type AsanaTask = z.infer<typeof asanaTaskSchema>;
export const asanaTaskResponseSchema = z.object({ data: asanaTaskSchema });

/** The writable fields of a task we document; Asana accepts more, which pass through. */
export interface AsanaTaskInput {
  name: string;
  notes?: string;
  html_notes?: string;
  assignee?: string;
  due_on?: string;
  projects?: string[];
  [field: string]: unknown;
}
