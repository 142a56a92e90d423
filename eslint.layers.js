// The layers of the code (README, "Layers"), checked on every `npm run lint`: an import that
// crosses one the wrong way fails the lint with the message of the rule it breaks.

/** The folders of src/ that hold a feature or the socket runtime: what lower layers never import. */
const FEATURES = [
  'api',
  'auth',
  'connection',
  'health',
  'hooks',
  'limits',
  'notifications',
  'realtime',
  'relay',
  'rooms',
  'socket',
  'users',
  'webhooks',
];

/** A relative import that reaches into one of the feature folders from a sibling folder of src/. */
const INTO_A_FEATURE = `^(\\.\\./)+(${FEATURES.join('|')})/`;

/** Socket.IO and Nest's WebSocket layer: what only gateways, the runtime and delivery touch. */
const SOCKET_IO = ['socket.io', 'socket.io-adapter', '@socket.io/*', '@nestjs/websockets'];

/** The folders whose code holds a feature's rules (services, keepers, schedulers, DTOs). */
const SERVICE_FOLDERS = FEATURES.filter((folder) => !['socket', 'realtime'].includes(folder));

export const layers = [
  {
    files: ['contract/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!\\.{1,2}/)',
              message:
                'The contract is types and constants only: it imports no package (a client bundles it).',
            },
            {
              regex: '^\\.\\./\\.\\./',
              message: 'The contract imports nothing of the server or of the client.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/storage/**/*.ts', 'src/config/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: INTO_A_FEATURE,
              message:
                'Stores and settings import no feature: features import them (move the shared piece to common/ or contract/).',
            },
          ],
        },
      ],
    },
  },
  {
    files: SERVICE_FOLDERS.map((folder) => `src/${folder}/**/*.ts`),
    ignores: ['**/*.gateway.ts', '**/*.module.ts', '**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: SOCKET_IO.filter((name) => !name.includes('*')).map((name) => ({
            name,
            message:
              'Services know nothing of Socket.IO: they take plain values and ask realtime/ to deliver.',
          })),
          patterns: [
            {
              group: SOCKET_IO.filter((name) => name.includes('*')),
              message:
                'Services know nothing of Socket.IO: they take plain values and ask realtime/ to deliver.',
            },
            {
              regex: '\\.gateway\\.js$',
              message:
                'Services import no gateway: a gateway calls its service, never the reverse.',
            },
          ],
        },
      ],
    },
  },
];
