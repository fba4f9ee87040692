import { l10n } from '../core/l10n';
import type { CommandContext } from './command';

/** What a long command hears from the terminal: Ctrl-C, as a signal its work stops on. */
export interface Interrupt {
  signal: AbortSignal;
  dispose(): void;
}

/** The exit code of a process ended by SIGINT, as shells report it (128 + 2). */
export const INTERRUPTED_EXIT_CODE = 130;

/**
 * The first Ctrl-C asks the work to stop through the signal, so it removes its temporaries and marks its runs
 * killed instead of dying mid-write; a second one, from someone who will not wait for that, ends the process now.
 */
export function interruptOnCtrlC(ctx: Pick<CommandContext, 'stderr'>): Interrupt {
  const controller = new AbortController();
  const onInterrupt = () => {
    if (controller.signal.aborted) process.exit(INTERRUPTED_EXIT_CODE);
    ctx.stderr('\n' + l10n.t('Stopping... press Ctrl-C again to stop at once.') + '\n');
    controller.abort();
  };
  process.on('SIGINT', onInterrupt);
  return { signal: controller.signal, dispose: () => process.off('SIGINT', onInterrupt) };
}

/**
 * For work that can stop early and still keep a result (a search keeps its best model): the first Ctrl-C raises
 * `stopSignal` and says what happens now, the second raises `signal` to cancel that too, a third ends the process.
 */
export function stopThenCancelOnCtrlC(ctx: Pick<CommandContext, 'stderr'>, stopping: string): Interrupt & { stopSignal: AbortSignal } {
  const stop = new AbortController();
  const cancel = new AbortController();
  const onInterrupt = () => {
    if (!stop.signal.aborted) {
      ctx.stderr('\n' + stopping + '\n');
      stop.abort();
    } else if (!cancel.signal.aborted) {
      ctx.stderr('\n' + l10n.t('Stopping... press Ctrl-C again to stop at once.') + '\n');
      cancel.abort();
    } else process.exit(INTERRUPTED_EXIT_CODE);
  };
  process.on('SIGINT', onInterrupt);
  return { signal: cancel.signal, stopSignal: stop.signal, dispose: () => process.off('SIGINT', onInterrupt) };
}

/** Runs `work` with Ctrl-C as its abort signal (interruptOnCtrlC), listening only while it runs. */
export async function whileInterruptible<T>(ctx: Pick<CommandContext, 'stderr'>, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const interrupt = interruptOnCtrlC(ctx);
  try {
    return await work(interrupt.signal);
  } finally {
    interrupt.dispose();
  }
}

/** Redraws at most this often, so a fast loop does not spend its time writing to the terminal. */
const REDRAW_EVERY_MS = 100;
const BAR_WIDTH = 25;

export interface ProgressBar {
  /** `fraction` from 0 to 1; `detail` follows the bar (counts, sizes, the best score so far). */
  draw(label: string, fraction: number, detail: string): void;
  /** Clears the bar, so what the command prints next starts on a clean line. */
  end(): void;
}

/**
 * A bar redrawn in place on stderr when it is a terminal; nothing elsewhere, where every redraw would be a line
 * of noise in a log. A new label or a finished bar is drawn at once, anything else at most every 100 ms.
 */
export function progressBar(ctx: Pick<CommandContext, 'stderr' | 'interactive'>): ProgressBar {
  let drawn = false;
  let lastLabel: string | undefined;
  let lastDraw = 0;
  return {
    draw(label, fraction, detail) {
      if (!ctx.interactive) return;
      const now = Date.now();
      const clamped = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
      if (label === lastLabel && clamped < 1 && now - lastDraw < REDRAW_EVERY_MS) return;
      lastLabel = label;
      lastDraw = now;
      const bar = '#'.repeat(Math.floor(clamped * BAR_WIDTH)).padEnd(BAR_WIDTH, '.');
      ctx.stderr(`\r\x1b[K${label} [${bar}] ${detail}`);
      drawn = true;
    },
    end() {
      if (drawn) ctx.stderr('\r\x1b[K');
      drawn = false;
      lastLabel = undefined;
    },
  };
}
