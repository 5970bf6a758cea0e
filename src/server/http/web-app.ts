/**
 * Serves the browser app: the built `dist/` in production, or Vite in middleware mode (HMR)
 * with `npm run dev`. Security headers on every page: a Content-Security-Policy that forbids
 * inline scripts and any origin but our own.
 */
import { existsSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import sirv from 'sirv';

export type RequestHandler = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  // Lit adopts constructable stylesheets; 'unsafe-inline' styles are not needed for those, but
  // Vite's dev client injects <style> tags.
  "style-src 'self' 'unsafe-inline'",
  "connect-src 'self' ws: wss:",
  "img-src 'self' data:",
  "media-src 'self' blob: mediastream:",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

function securityHeaders(res: ServerResponse, dev: boolean): void {
  if (!dev) res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Permissions-Policy', 'microphone=(self), camera=(), geolocation=()');
}

export interface WebApp {
  handle: RequestHandler;
  close(): Promise<void>;
}

/** The built app from `dist/`; `index.html` for unknown paths (client-side routes). */
export function staticWebApp(root = resolve('dist')): WebApp {
  if (!existsSync(resolve(root, 'index.html'))) {
    throw new Error(`No built app in ${root}: run "npm run build" (npm start does it for you).`);
  }
  const serve = sirv(root, {
    single: true,
    etag: true,
    gzip: true,
    brotli: true,
    setHeaders(res, pathname) {
      // Vite fingerprints everything under /assets: cache for a year; index.html never.
      res.setHeader(
        'Cache-Control',
        pathname.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
    },
  });
  return {
    handle: (req, res, next) => {
      securityHeaders(res, false);
      serve(req, res, next);
    },
    close: async () => undefined,
  };
}

/** Vite in middleware mode, sharing our HTTP server for HMR. */
export async function devWebApp(server: Server): Promise<WebApp> {
  const { createServer } = await import('vite');
  const vite = await createServer({
    appType: 'spa',
    server: { middlewareMode: true, hmr: { server, path: '/__vite_hmr' } },
  });
  return {
    handle: (req, res, next) => {
      securityHeaders(res, true);
      vite.middlewares(req, res, next);
    },
    close: () => vite.close(),
  };
}
