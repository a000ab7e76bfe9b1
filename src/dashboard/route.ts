/**
 * The dashboard: a page at /dashboard on the service's own port, served as three static files
 * (index.html, dashboard.js, dashboard.css) from this folder (copied into dist/dashboard by
 * scripts/copy-assets.mjs). No server-side API of its own: the page talks to the service with the
 * SQS API (AWS JSON 1.0 on POST /) and the peek endpoint, from the browser. Mounted with the
 * developer endpoints, so `--dev-endpoints off` removes it too.
 */
import { fileURLToPath } from 'node:url';
import express from 'express';

const DIR = fileURLToPath(new URL('.', import.meta.url));

/** The files of the page, by the path they are served at, with their media type. */
const FILES: Record<string, { file: string; type: string }> = {
  '/dashboard': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/dashboard/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/dashboard/dashboard.js': { file: 'dashboard.js', type: 'text/javascript; charset=utf-8' },
  '/dashboard/dashboard.css': { file: 'dashboard.css', type: 'text/css; charset=utf-8' },
};

/** One of the page's static files: code and style only, no data (web/browser-guard.ts lets links open it). */
export function isDashboardFile(path: string): boolean {
  return Object.hasOwn(FILES, path);
}

/**
 * Only the page's own files and same-origin requests: the page builds its DOM with textContent,
 * and this keeps a message body that slipped through from running or loading anything.
 */
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export function dashboardRouter(): express.Router {
  const router = express.Router({ strict: true });
  for (const [path, { file, type }] of Object.entries(FILES)) {
    router.get(path, (_req, res, next) => {
      res.set({
        'Content-Type': type,
        'Cache-Control': 'no-cache',
        'Content-Security-Policy': CSP,
        'X-Content-Type-Options': 'nosniff',
        'Referrer-Policy': 'no-referrer',
      });
      res.sendFile(file, { root: DIR, headers: { 'Content-Type': type } }, (err) => {
        if (err) next(err);
      });
    });
  }
  return router;
}
