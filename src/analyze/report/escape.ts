/**
 * Text for HTML and SVG, in element content and in quoted attribute values alike. Everything the
 * analyzed files supply (service names, paths, messages) goes through here, so none of it can
 * open a tag, end an attribute or start an entity.
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => HTML_ENTITIES[c] ?? c);
}

const HTML_ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};
