/**
 * The six stacks of issue 12's "Done when", each weak in its own way, each with its local image
 * (busybox-static with a shell entrypoint; see images.ts). `{{TAG}}` is replaced by the run's tag.
 */
export interface Stack {
  name: string;
  compose: string;
  images: Record<string, { files: Record<string, string>; changes: string[] }>;
  files?: Record<string, string>;
}

const HTTPD = (port: number, dir = '/www') => `exec httpd -f -p ${port} -h ${dir}`;

export const STACKS: Stack[] = [
  {
    name: 'web',
    images: { web: { files: {}, changes: ['EXPOSE 80', `CMD ["httpd", "-f", "-p", "80", "-h", "/www"]`] } },
    compose: 'services:\n  web:\n    image: shipshape-harden/web:{{TAG}}\n    ports:\n      - "80:80"\n',
  },
  {
    name: 'writer',
    images: {
      writer: {
        files: { '/usr/local/bin/start': `#!/bin/sh\nset -e\nmkdir -p /var/cache/app\ndate > /var/cache/app/stamp\ndate > /tmp/started\n${HTTPD(8080)}\n` },
        changes: ['EXPOSE 8080', 'CMD ["start"]'],
      },
    },
    compose: 'services:\n  writer:\n    image: shipshape-harden/writer:{{TAG}}\n    ports:\n      - "8080:8080"\n',
  },
  {
    name: 'init',
    images: {
      init: { files: { '/usr/local/bin/seed': '#!/bin/sh\nset -e\necho ready > /shared/index.html\n' }, changes: ['CMD ["seed"]'] },
      app: { files: {}, changes: ['EXPOSE 8080', 'CMD ["httpd", "-f", "-p", "8080", "-h", "/shared"]'] },
    },
    compose:
      'services:\n  init:\n    image: shipshape-harden/init:{{TAG}}\n    volumes:\n      - shared:/shared\n' +
      '  app:\n    image: shipshape-harden/app:{{TAG}}\n    volumes:\n      - shared:/shared:ro\n    ports:\n      - "8081:8080"\n' +
      '    depends_on:\n      init:\n        condition: service_completed_successfully\nvolumes:\n  shared:\n',
  },
  {
    name: 'database',
    images: {
      db: {
        files: {
          '/usr/local/bin/db-entrypoint':
            '#!/bin/sh\nif [ -n "$DB_PASSWORD_FILE" ]; then DB_PASSWORD="$(cat "$DB_PASSWORD_FILE")"; fi\n' +
            '[ -n "$DB_PASSWORD" ] || { echo "DB_PASSWORD or DB_PASSWORD_FILE is required" >&2; exit 1; }\n' +
            `${HTTPD(5432)}\n`,
        },
        changes: ['EXPOSE 5432', 'ENTRYPOINT ["db-entrypoint"]'],
      },
    },
    compose: 'services:\n  db:\n    image: shipshape-harden/db:{{TAG}}\n    ports:\n      - "5432:5432"\n    environment:\n      DB_USER: admin\n      DB_PASSWORD: changeme\n',
  },
  {
    name: 'dropper',
    images: {
      dropper: {
        files: {
          '/usr/local/bin/entrypoint': `#!/bin/sh\nset -e\nmkdir -p /data\nchown -R nobody:nogroup /data\nexec su -s /bin/sh nobody -c 'echo up > /data/state; ${HTTPD(8080)}'\n`,
        },
        changes: ['EXPOSE 8080', 'ENTRYPOINT ["entrypoint"]'],
      },
    },
    compose: 'services:\n  dropper:\n    image: shipshape-harden/dropper:{{TAG}}\n    volumes:\n      - data:/data\n    ports:\n      - "8082:8080"\nvolumes:\n  data:\n',
  },
  {
    name: 'secret',
    images: {
      api: {
        files: { '/usr/local/bin/api': `#!/bin/sh\ntest -s /run/secrets/api_key || { echo "no api key" >&2; exit 1; }\n${HTTPD(8080)}\n` },
        changes: ['EXPOSE 8080', 'CMD ["api"]'],
      },
    },
    compose:
      'services:\n  api:\n    image: shipshape-harden/api:{{TAG}}\n    secrets:\n      - api_key\n    ports:\n      - "8083:8080"\n' +
      'secrets:\n  api_key:\n    file: ./secrets/api_key.txt\n',
  },
];
