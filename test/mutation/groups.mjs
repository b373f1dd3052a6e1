/**
 * The security core under mutation testing (issue 17): each group names the code it mutates, the only
 * tests that judge it, and the score below which `npm run test:mutation` fails. Read by the Stryker
 * config, the Vitest config it runs and the runner (run.mjs); plain JavaScript so that all three can.
 *
 * `dist`: the group's tests start a real hub, which serves the built loader and frame from dist/.
 */
export const GROUPS = [
  {
    name: 'tokens',
    mutate: ['src/hub/session/token.ts', 'src/hub/session/secret.ts'],
    tests: ['test/hub/session/**/*.test.ts'],
    break: 95,
  },
  {
    name: 'keys',
    mutate: ['src/hub/keys/format.ts'],
    tests: ['test/hub/keys/**/*.test.ts'],
    break: 95,
    // Its real timeouts are the key generator's loops without their bound: no need to wait 15 s for each.
    timeoutMS: 5_000,
    dist: true,
  },
  {
    name: 'signatures',
    // Only the signing lines of the webhook agent: the rest of the file reads the agent's answer.
    mutate: ['src/client/webhook-signature.ts', 'src/client/webhooks.ts', 'src/hub/agent-call/webhook.ts:13-22'],
    tests: ['test/client/webhooks.test.ts', 'test/client/webhook-rules.test.ts', 'test/hub/agent-call/signing.test.ts'],
    break: 95,
  },
  {
    name: 'identity',
    // The visitor token check, the sealing of identity secrets, and which secrets verify (the grace period).
    mutate: ['src/hub/identity/verify.ts', 'src/hub/session/secret-box.ts', 'src/hub/widget-keys/identity.ts'],
    tests: ['test/hub/identity/**/*.test.ts'],
    break: 95,
  },
  {
    name: 'allowlist',
    mutate: ['src/hub/allowlist/*.ts'],
    tests: ['test/hub/allowlist/**/*.test.ts'],
    break: 95,
  },
  {
    name: 'access',
    mutate: ['src/hub/visitor/*.ts'],
    // session-lifetime: the refresh, which continues a session's start (visitor/session.ts).
    tests: ['test/hub/visitor/**/*.test.ts', 'test/hub/handshake.test.ts', 'test/hub/widget-documents.test.ts', 'test/hub/session-lifetime.test.ts'],
    break: 95,
    // One module graph for its test files: importing the hub (Fastify, Kysely, SQLite) once a run, not
    // once a file, halves a run. Safe because no module state depends on the mutated code: the hub's
    // module-level state (its text memos of src/hub/memo.ts, the id clock of ids.ts, the random pool of
    // random.ts, the key shapes of keys/format.ts) is computed by none of src/hub/visitor/.
    isolate: false,
    dist: true,
  },
  {
    name: 'loader',
    mutate: ['src/loader/boot.ts'],
    tests: ['test/loader/source.test.ts', 'test/loader/commands.test.ts'],
    break: 90,
  },
  {
    name: 'frame',
    // The conversation (chat.ts), its event stream and its log, judged by the tests of those rules. Every
    // other frame test mounts the frame too and so covers these lines, but each test file a mutant's
    // tests live in costs a fresh import of happy-dom (about a second): twelve files made a full run over
    // an hour.
    mutate: ['src/frame/chat.ts', 'src/frame/events.ts', 'src/frame/log.ts'],
    tests: [
      'test/frame/chat.test.ts',
      'test/frame/conversation.test.ts',
      'test/frame/events.test.ts',
      'test/frame/rules.test.ts',
      'test/frame/panel.test.ts',
      // A sign-in or a logout switches the conversation (chat.ts switchTo, log.ts clear).
      'test/frame/identity.test.ts',
      'test/frame/session.test.ts',
    ],
    break: 90,
    // One module graph for the four files, so happy-dom is imported once a run, not once a file. Safe for
    // these: none mocks a module or changes one's state, and the frame's modules hold none but constants.
    isolate: false,
    // Its tests take about two seconds; its real timeouts are the reader's retry loop without its bound.
    timeoutMS: 5_000,
  },
  {
    name: 'markdown',
    // A pure function of the text: its own tests say what it may and may not make.
    mutate: ['src/frame/markdown.ts'],
    tests: ['test/frame/markdown.test.ts'],
    break: 90,
    // Its tests take a third of a second in all; a mutant that stops a scanning loop's index hangs, and
    // each such costs a worker this long and a restart.
    timeoutMS: 2_500,
  },
];

export const groupNamed = (name) => {
  const group = GROUPS.find((g) => g.name === name);
  if (!group) throw new Error(`No mutation group "${name}"; the groups are ${GROUPS.map((g) => g.name).join(', ')} (test/mutation/groups.mjs)`);
  return group;
};
