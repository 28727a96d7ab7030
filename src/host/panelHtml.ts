/**
 * The panel's HTML shell: a strict Content Security Policy (nothing loads but our own script, which carries a
 * fresh nonce, and our own stylesheet), one root element, and the bundled webview script. No data is ever
 * written into this HTML; the webview asks for it with `ready`. Pure (no `vscode`), so a unit test reads it.
 */
export interface PanelHtmlParts {
  /** `webview.cspSource`: the origin VS Code serves local resources from. */
  readonly cspSource: string;
  /** `webview.asWebviewUri(...)` of dist/webview.js and media/panel.css, as strings. */
  readonly scriptUri: string;
  readonly styleUri: string;
  readonly nonce: string;
  /** The document's title (default `Layerstep`). */
  readonly title?: string;
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    `style-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
    // The graph's layout worker, started from a Blob URL of its bundled source (webview/graph/layoutClient.ts).
    'worker-src blob:',
  ].join('; ');
}

/** Escapes text for HTML element content and double-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

export function panelHtml(p: PanelHtmlParts): string {
  const attr = escapeHtml;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(contentSecurityPolicy(p.cspSource, p.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${attr(p.styleUri)}">
<title>${escapeHtml(p.title ?? 'Layerstep')}</title>
</head>
<body>
<div id="app" class="loading">Loading…</div>
<script nonce="${attr(p.nonce)}" src="${attr(p.scriptUri)}"></script>
</body>
</html>`;
}

/** A nonce for the script tag: 32 characters from a cryptographic source. */
export function makeNonce(randomBytes: (n: number) => Uint8Array): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(randomBytes(32), (b) => alphabet[b % alphabet.length]).join('');
}
