import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, escapeHtml, makeNonce, panelHtml } from '../../../src/host/panelHtml';

describe('escapeHtml', () => {
  it('escapes the characters that could open a tag or close an attribute', () => {
    expect(escapeHtml(`<img src=x onerror="alert('1')">&`)).toBe('&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;&amp;');
    expect(escapeHtml('plain text')).toBe('plain text');
  });
});

describe('panelHtml', () => {
  const parts = { cspSource: 'https://file+.vscode-resource.vscode-cdn.net', scriptUri: 'https://x/dist/webview.js', styleUri: 'https://x/media/panel.css', nonce: 'abc123' };

  it('allows only our own script (by nonce) and stylesheet', () => {
    expect(contentSecurityPolicy(parts.cspSource, 'abc123')).toBe(
      `default-src 'none'; img-src ${parts.cspSource} data:; style-src ${parts.cspSource}; script-src 'nonce-abc123'; worker-src blob:`,
    );
    const html = panelHtml(parts);
    expect(html).toContain(`content="default-src &#39;none&#39;; img-src ${parts.cspSource} data:; style-src ${parts.cspSource}; script-src &#39;nonce-abc123&#39;; worker-src blob:"`);
    expect(html).toContain('<script nonce="abc123" src="https://x/dist/webview.js"></script>');
    expect(html).toContain('<link rel="stylesheet" href="https://x/media/panel.css">');
  });

  it('has exactly one script and no inline style or handler', () => {
    const html = panelHtml(parts);
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html).not.toMatch(/<style|\sstyle=|\son\w+=/);
  });

  it('escapes resource URIs written into attributes', () => {
    expect(panelHtml({ ...parts, scriptUri: 'https://x/a"b.js' })).toContain('src="https://x/a&quot;b.js"');
  });
});

describe('makeNonce', () => {
  it('makes 32 alphanumeric characters from the random bytes', () => {
    const nonce = makeNonce((n) => Uint8Array.from({ length: n }, (_, i) => i * 7));
    expect(nonce).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(makeNonce((n) => new Uint8Array(n).fill(1))).not.toBe(nonce);
  });
});
