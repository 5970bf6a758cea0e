/**
 * What the headset model needs only once a headset is in sight (a granted device, a pick in the
 * chooser, one plugged in): the descriptor parser, the reading of button reports and the
 * encoding of lights. Most users pair none, so `headset-model.ts` loads this with `import()`
 * and the switchboard route does not ship it.
 * @packageDocumentation
 */
export { commandFor, ledsFor } from './headset-calls.js';
export { hostSet, interpretReport } from './headset-input.js';
export { LEDS_OFF, controlsOf, encodeOutputs, parseTelephony } from './telephony-descriptor.js';
