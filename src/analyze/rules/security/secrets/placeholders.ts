import { basename } from 'node:path';

/**
 * Files that document a configuration instead of being one: `.env.example`, `config.sample.yml`,
 * `settings.template`, `app.ini.dist`, `example.env`. Their values are for the reader to replace.
 */
export function isTemplateFile(path: string): boolean {
  return /(^|[._-])(example|sample|template|tmpl|dist)([._-]|$)/i.test(basename(path));
}

/**
 * Values that tell the reader to put their own secret there: `your_jwt_secret`, `<api-key>`,
 * `[token]`, `xxxxxxxx`, `sk-...`, `put-your-key-here`. A `change_me` value is not one of them:
 * it is what gets deployed when nobody changes it, a default credential.
 */
export function isPlaceholder(value: string): boolean {
  const v = value.trim();
  if (/^<[^<>]+>$/.test(v) || /^\[[^[\]]+\]$/.test(v) || /^\{\{[^{}]+\}\}$/.test(v)) return true;
  if (/^(x{3,}|\*{3,})/i.test(v) || /\.{3,}|…/.test(v)) return true;
  if (/^your(?:[_-]|[A-Z])/.test(v) || /^YOUR[_-]/.test(v)) return true;
  return /^(enter|insert|put|add|paste)[_-](your|the|a)[_-]/i.test(v) || /[_-]here$/i.test(v);
}
