import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'drizzle/', 'openapi/', 'bench/results/', '.data/', 'test/generated/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off'
    }
  },
  {
    // on Node 20 a single AsyncLocalStorage.run (or an enabled async hook) makes every promise of the process ~2.5×
    // as expensive for good: what a request needs travels explicitly (request.ctx, src/http/plugins/request-context.ts)
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-syntax': ['error', {
        selector: 'ImportDeclaration[source.value=/^(node:)?async_hooks$/]',
        message: 'no async_hooks in the service: pass per-request state explicitly (docs/performance.md, session 11)'
      }]
    }
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' }
  },
  {
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: ['fastify*', '@fastify/*', 'drizzle-orm*', 'postgres', 'pino', '**/db/**', '**/http/**', '**/application/**'],
        paths: [{ name: 'process', message: 'domain code takes config and clock as arguments' }]
      }],
      'no-restricted-globals': ['error', 'process']
    }
  },
  {
    // the dependency direction http → application → db → domain: the inner layers never reach outwards
    files: ['src/application/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['**/http/**', 'fastify', '@fastify/*'] }] }
  },
  {
    // db implements application ports (type imports only) and never reaches the HTTP layer
    files: ['src/db/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        patterns: [
          { group: ['**/http/**', 'fastify', '@fastify/*'], message: 'db never reaches the HTTP layer' },
          { group: ['**/application/**'], allowTypeImports: true, message: 'db may only implement an application port (a type import)' }
        ]
      }]
    }
  },
  {
    // http reaches the database only through application: row types and helpers come from the use cases' modules
    // (the idempotency plugin's key store: src/application/idempotency.ts).
    files: ['src/http/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        patterns: [{ group: ['**/db/**'], message: 'http never imports db: take the type or function from application (or domain)' }]
      }]
    }
  }
)
