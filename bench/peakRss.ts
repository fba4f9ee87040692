import * as fs from 'node:fs';

/**
 * The peak resident memory of this process image, worker threads included. Not resourceUsage().maxRSS: on Linux a
 * spawned child inherits the high-water mark of the parent it was forked from, so a benchmark's child would report
 * the benchmark's own peak whenever that is higher. VmHWM belongs to the memory map, which exec replaces.
 */
export function peakRssBytes(): number {
  const hwm = /^VmHWM:\s+(\d+) kB/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  if (!hwm) throw new Error('no VmHWM in /proc/self/status: the memory figures need Linux');
  return Number(hwm[1]) * 1024;
}
