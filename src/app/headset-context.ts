/**
 * Context of the USB headset (ADR 0011), kept apart from `contexts.ts` like the switchboard's.
 *
 * The headset is the page's (one HID device, one `navigator.hid`), so `createServices` provides
 * it on the document element with {@link provideHeadset}: every view below finds it without the
 * shell listing it. A provider nearer the views (the shell's, later) takes precedence.
 */
import { ContextProvider, createContext } from '@lit/context';
import type { HeadsetModel } from '../store/headset/headset-model.js';

export const headsetContext = createContext<HeadsetModel>(Symbol('sentral-headset'));

/** Provides `headset` to every element inside `host`. */
export function provideHeadset(
  host: HTMLElement,
  headset: HeadsetModel,
): ContextProvider<typeof headsetContext> {
  return new ContextProvider(host, { context: headsetContext, initialValue: headset });
}
