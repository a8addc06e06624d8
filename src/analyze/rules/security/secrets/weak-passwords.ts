/**
 * Passwords an attacker tries first: the classic weak ones, the defaults products ship or their
 * documentation shows, and passwords that repeat the user or the service name.
 */

const WEAK = new Set([
  'password', 'passw0rd', 'p@ssw0rd', 'p@ssword', 'password1', 'password123', 'pass', 'pass123', 'admin',
  'admin123', 'administrator', 'root', 'toor', 'changeme', 'change_me', 'change-me', 'changeit', 'secret',
  'secret123', '1234', '12345', '123456', '1234567', '12345678', '123456789', '1234567890', 'qwerty',
  'letmein', 'example', 'test', 'test123', 'guest', 'default', 'welcome', 'abc123', '111111', '000000',
  'demo', 'user', 'replaceme', 'replace_me', 'your_password', 'yourpassword', 'mypassword', 'supersecret',
]);

/**
 * Defaults that belong to one product: its image name, a key or a URL scheme naming it makes
 * them the known default (`postgres` alone is a fine database name, a weak POSTGRES_PASSWORD).
 */
const PRODUCT_DEFAULTS: readonly (readonly [string, RegExp, readonly string[]])[] = [
  ['PostgreSQL', /postgres|postgis|timescale|\bpg/, ['postgres', 'mysecretpassword']],
  ['RabbitMQ', /rabbit|amqp/, ['guest']],
  ['MinIO', /minio/, ['minioadmin']],
  ['MySQL', /mysql|mariadb/, ['mysql', 'mariadb', 'my-secret-pw']],
  ['MongoDB', /mongo/, ['mongo', 'mongodb']],
  ['Redis', /redis/, ['foobared', 'redis']],
  ['Elasticsearch', /elastic|kibana|opensearch/, ['changeme', 'elastic', 'admin']],
  ['SQL Server', /mssql|sqlserver|\bsa_/, ['yourstrong(!)password', 'yourstrongpassword']],
  ['Neo4j', /neo4j/, ['neo4j']],
  ['CouchDB', /couchdb/, ['couchdb']],
  ['Keycloak', /keycloak/, ['keycloak']],
  ['Grafana', /grafana|\bgf_/, ['grafana']],
];

export interface WeakContext {
  /** The key or directive that holds the password (`POSTGRES_PASSWORD`, `requirepass`). */
  key: string;
  /** Image of the service, URL scheme or command that tells which product this is. */
  hints: readonly string[];
  /** User names set next to the password (`POSTGRES_USER`, the user of a URL). */
  users: readonly string[];
  /** Names the password must not repeat: the service and its image's name. */
  names: readonly string[];
}

/** Why a password is weak, or undefined when it is not a known weak one. */
export function weakness(password: string, ctx: WeakContext): string | undefined {
  const value = password.trim().toLowerCase();
  if (value === '') return undefined;
  if (WEAK.has(value)) return 'a well-known weak password';
  if (isPublicPlaceholder(value)) return 'a public placeholder from sample configuration, deployed as it is';
  const about = [ctx.key, ...ctx.hints].join(' ').toLowerCase();
  for (const [product, pattern, defaults] of PRODUCT_DEFAULTS) {
    if (pattern.test(about) && defaults.includes(value)) return `a well-known default for ${product}`;
  }
  if (ctx.users.some((u) => u.trim().toLowerCase() === value)) return 'the same as the user name';
  if (ctx.names.some((n) => n.trim().toLowerCase() === value)) return "the service's own name";
  return numberedWord(value, ctx);
}

/**
 * Words that guessing lists try with digits added (`root123`, `admin2024`): the classic weak
 * passwords and every product's default, whatever the product.
 */
const NUMBERED_WORDS = new Set([
  'password', 'passw0rd', 'p@ssw0rd', 'pass', 'admin', 'administrator', 'root', 'toor', 'changeme', 'secret',
  'qwerty', 'letmein', 'test', 'guest', 'default', 'welcome', 'demo', 'user', 'abc',
  ...PRODUCT_DEFAULTS.flatMap(([, , defaults]) => defaults),
]);

/**
 * `root123`, `admin2024`, `astron_123!`: a weak word, a product's default, the user or the service
 * name with a few digits added. Guessing lists try exactly these variations first.
 */
function numberedWord(value: string, ctx: WeakContext): string | undefined {
  const m = /^(.*?[a-z])[-_.@]?\d{1,6}[!@#$.*]*$/.exec(value);
  const word = m?.[1];
  if (word === undefined) return undefined;
  if (NUMBERED_WORDS.has(word)) return `a well-known weak password ("${word}" with digits added)`;
  if (ctx.users.some((u) => u.trim().toLowerCase() === word)) return 'the user name with digits added';
  if (ctx.names.some((n) => n.trim().toLowerCase() === word)) return "the service's own name with digits added";
  return undefined;
}

/**
 * Sample values that documentation and `.env.example` files tell the reader to replace, and that
 * end up deployed unchanged: `your-super-secret-jwt-token-with-at-least-32-characters-long`,
 * `change-me`, `CHANGE_ME_IN_PRODUCTION`, `super-secret-key`, `please-change-this`.
 */
function isPublicPlaceholder(value: string): boolean {
  return (
    /^your[-_]?(super[-_]?)?(secret|password|token|key|api|jwt|db|database|admin|pass|strong|own|random)/.test(value) ||
    /^(please[-_.]?)?(change|replace)[-_.]?(me|it|this)([-_.]?(now|please|in[-_.]?prod(uction)?))?$/.test(value) ||
    /^(super|my|very)[-_]?secret([-_]|$)/.test(value) ||
    /^(secret|password|example|sample|default|test|dummy)[-_](secret|password|key|token|value|pass)s?$/.test(value)
  );
}
