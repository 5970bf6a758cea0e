/**
 * Sentral's service worker: only the clicks on the incoming-call notification (ADR 0013).
 *
 * The page (`src/app/incoming-call-notifier.ts`) shows the notification through this worker's
 * registration, because only a worker's notification can carry action buttons. A click on
 * Answer or on the notification itself focuses the app's window (or opens one when none is left)
 * and posts `{ type: 'sentral-notification', action: 'answer' | 'show', callId }` to it;
 * Decline posts `action: 'decline'` without focusing. The page checks that the call still rings.
 *
 * Deliberately no `fetch` handler and no cache: the worker never sits between the app and the
 * network, so the app can never be served stale (an old build talking to a newer core's API),
 * and a broken worker cannot take the app down with it.
 *
 * Plain JavaScript under `public/`: Vite copies it to `dist/` unchanged at a stable URL
 * (`/sentral-sw.js`, scope `/`), in development and in the built app alike.
 */

/** The message type the page listens for. */
const MESSAGE_TYPE = 'sentral-notification';

// A new version replaces the old one at once: with no fetch handler there is nothing a page
// could be in the middle of.
self.addEventListener('install', () => {
  void self.skipWaiting();
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  event.waitUntil(onNotificationClick(event.action, event.notification.data));
});

/**
 * @param {string} clicked The action button ('' for a click on the notification's body).
 * @param {unknown} data The notification's data: `{ callId }`.
 */
async function onNotificationClick(clicked, data) {
  const callId = data && typeof data.callId === 'string' ? data.callId : null;
  if (!callId) return;
  const action = clicked === 'answer' || clicked === 'decline' ? clicked : 'show';
  // Uncontrolled windows too: with no fetch handler the worker controls no page anyway.
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  // One window only (every tab of the user mirrors the call; two would answer twice): the
  // focused one, else the most recently focused (matchAll lists those first).
  let target = windows.find((client) => client.focused) ?? windows[0] ?? null;
  if (action !== 'decline') {
    if (!target) {
      // The app's tab is gone, and the call with it: open the app so the user sees where it is.
      await self.clients.openWindow(self.registration.scope);
      return;
    }
    // Allowed only while the click is handled (within this waitUntil). Answer even if the
    // browser refuses: the page also asks for focus, and the call must not ring on unanswered.
    target = (await target.focus().catch(() => null)) ?? target;
  }
  target?.postMessage({ type: MESSAGE_TYPE, action, callId });
}
