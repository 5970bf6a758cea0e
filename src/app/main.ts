/**
 * Entry point (loaded by index.html): builds the services and hands them to `<sentral-app>`.
 *
 * URL switches: `?mic=tone` uses a WebAudio tone instead of the microphone (e2e tests with
 * more pages than Chromium's 16 fake-device captures, demos without a headset).
 */
import './sentral-app.js';
import { startLocale } from './i18n.js';
import { loadPhoneNumberFormatsWhenIdle } from './phone-number.js';
import { createServices } from './services.js';

const params = new URLSearchParams(window.location.search);
const services = createServices({ toneMicrophone: params.get('mic') === 'tone' });

const app =
  document.querySelector('sentral-app') ??
  document.body.appendChild(document.createElement('sentral-app'));
// The first paint is in the user's language: the app gets its services once it is chosen.
void startLocale(services.preferences).then(() => {
  app.services = services;
});
// Foreign numbers are written by libphonenumber-js, fetched once the page is idle.
loadPhoneNumberFormatsWhenIdle();
