/** A call ran out of its overall time budget (across all its attempts and waits). */
export class DeadlineExceededError extends Error {
  readonly code = 'DEADLINE_EXCEEDED';

  constructor(readonly deadlineMs: number) {
    super(`Deadline of ${deadlineMs} ms exceeded`);
    this.name = 'DeadlineExceededError';
  }
}
