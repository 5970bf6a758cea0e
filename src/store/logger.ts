/**
 * The front end's one logger: the only place allowed to touch `console`.
 * Views and services log through it; the SIP layer receives it as an option.
 * @packageDocumentation
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(message: string, ...details: unknown[]): void;
  info(message: string, ...details: unknown[]): void;
  warn(message: string, ...details: unknown[]): void;
  error(message: string, ...details: unknown[]): void;
}

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };
let threshold: LogLevel = 'info';

/** Lower or raise the level (e.g. `setLogLevel('debug')` from the devtools console). */
export function setLogLevel(level: LogLevel): void {
  threshold = level;
}

function emit(level: LogLevel, message: string, details: unknown[]): void {
  if (ORDER[level] < ORDER[threshold]) return;
  // eslint-disable-next-line no-console
  console[level](`[sentral] ${message}`, ...details);
}

export const logger: Logger = {
  debug: (message, ...details) => emit('debug', message, details),
  info: (message, ...details) => emit('info', message, details),
  warn: (message, ...details) => emit('warn', message, details),
  error: (message, ...details) => emit('error', message, details),
};
