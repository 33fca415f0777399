import { readFileSync } from 'node:fs';

/** CPU seconds spent during one phase: by the server under test, by this process (the load generator), and by everything else (PostgreSQL, Redis). */
export interface CpuSplit {
  target: number;
  loadGenerator: number;
  rest: number;
}

/** Linux reports CPU times in clock ticks of 1/100 s (USER_HZ, fixed for /proc). */
const TICK_SECONDS = 0.01;

function machineBusySeconds(): number {
  // cpu  user nice system idle iowait irq softirq steal guest guest_nice (guest time is already in user)
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = fields as number[];
  return (user! + nice! + system! + irq! + softirq! + steal!) * TICK_SECONDS;
}

/** CPU seconds a process has used so far. */
export function processSeconds(pid: number | 'self'): number {
  // After the parenthesised command name: state is field 3, utime 14 and stime 15 (proc(5)).
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_SECONDS;
}

/**
 * Starts measuring where the machine's CPU goes while a phase runs; the returned function ends the
 * measurement. The rate ratio of two servers on a saturated machine follows the CPU each request
 * costs everywhere, not only in the server's own process, so the split says which side to look at.
 * Null where /proc is not available.
 */
export function startCpuSplit(targetPid: number): () => CpuSplit | null {
  let start: { machine: number; target: number; self: number };
  try {
    start = { machine: machineBusySeconds(), target: processSeconds(targetPid), self: processSeconds('self') };
  } catch {
    return () => null;
  }
  return () => {
    const target = processSeconds(targetPid) - start.target;
    const loadGenerator = processSeconds('self') - start.self;
    return { target, loadGenerator, rest: machineBusySeconds() - start.machine - target - loadGenerator };
  };
}

/** `target 210 µs, load generator 60 µs, rest (PostgreSQL, Redis) 120 µs` per request. */
export function formatCpuPerRequest(split: CpuSplit | null, requests: number): string {
  if (!split || requests === 0) return 'n/a';
  const us = (seconds: number) => `${((seconds / requests) * 1e6).toFixed(0)} µs`;
  return `server ${us(split.target)}, load generator ${us(split.loadGenerator)}, rest (PostgreSQL, Redis) ${us(split.rest)}`;
}
