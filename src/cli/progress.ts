import type { Ora } from 'ora';
import type { Logger } from '../log/logger.js';

/** A spinner on a real terminal, a log line otherwise. */
export interface Progress {
  /** True when a spinner shows progress; otherwise events go to the log. */
  readonly interactive: boolean;
  start(text: string): void;
  update(text: string): void;
  succeed(text: string): void;
  fail(text: string): void;
  stop(): void;
}

export interface ProgressEnvironment {
  enabled: boolean;
  isTTY: boolean;
  columns: number | undefined;
  ci: boolean;
}

/**
 * ora 9 loops forever on a pseudo-terminal that reports 0 columns, and is
 * silent without a terminal, so it is used only where it can work.
 */
export function canShowSpinner(env: ProgressEnvironment): boolean {
  return env.enabled && env.isTTY && (env.columns ?? 0) > 0 && !env.ci;
}

export function createProgress(env: ProgressEnvironment, logger: Logger): Progress {
  if (!canShowSpinner(env)) return createLogProgress(logger);
  // ora is loaded only on a terminal, and in the background: the spinner appears once it is there.
  let spinner: Ora | undefined;
  let text = '';
  let active = false;
  const loaded = import('ora');
  const finish = (end: (instance: Ora) => void) => {
    active = false;
    if (spinner) end(spinner);
    spinner = undefined;
  };
  return {
    interactive: true,
    start: (initial) => {
      text = initial;
      active = true;
      void loaded.then(({ default: ora }) => {
        // discardStdin would put stdin in raw mode and swallow Ctrl-C.
        if (active && !spinner) spinner = ora({ text, stream: process.stderr, discardStdin: false }).start();
      });
    },
    update: (next) => {
      text = next;
      if (spinner) spinner.text = next;
    },
    succeed: (message) => finish((instance) => instance.succeed(message)),
    fail: (message) => finish((instance) => instance.fail(message)),
    stop: () => finish((instance) => instance.stop()),
  };
}

function createLogProgress(logger: Logger): Progress {
  return {
    interactive: false,
    start: (text) => logger.info(text),
    update: (text) => logger.debug(text),
    succeed: (text) => logger.info(text),
    fail: (text) => logger.error(text),
    stop: () => undefined,
  };
}
