/**
 * Context of the USB headset (ADR 0011), kept apart from `contexts.ts` like the switchboard's;
 * `sentral-app` provides it with the other services.
 */
import { createContext } from '@lit/context';
import type { HeadsetModel } from '../store/headset/headset-model.js';

export const headsetContext = createContext<HeadsetModel>(Symbol('sentral-headset'));
