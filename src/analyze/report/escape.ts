/**
 * Text for HTML and SVG, in element content and in quoted attribute values alike. Everything the
 * analyzed files supply (service names, paths, messages) goes through here, so none of it can
 * open a tag, end an attribute or start an entity.
 */
export function escapeHtml(text: string): string {
  // Control characters are not HTML text; written out, a terminal showing the file would obey them.
  return text
    .replace(/[&<>"'`]/g, (c) => HTML_ENTITIES[c] ?? c)
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

const HTML_ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};
