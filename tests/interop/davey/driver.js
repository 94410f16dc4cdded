'use strict';
// A line-oriented driver around @snazzah/davey for the .NET interop tests. One JSON request per stdin line,
// one JSON answer per stdout line, in order: {"id", "ok": true, ...result} or {"id", "ok": false, "error"}.
// Binary values travel as base64. The driver holds any number of DAVE sessions, keyed by user id, and keeps no
// protocol logic of its own: the tests decide what each call means, so a davey error surfaces as an answer,
// never as a guess made here.
const readline = require('node:readline');
const davey = require('@snazzah/davey');

const sessions = new Map();

const b64 = (buffer) => (buffer ? Buffer.from(buffer).toString('base64') : null);
const bytes = (text) => Buffer.from(text ?? '', 'base64');

function session(user) {
  const found = sessions.get(user);
  if (!found) throw new Error(`no davey session for user ${user}`);
  return found;
}

function state(s) {
  const epoch = s.epoch;
  return {
    epoch: epoch === null || epoch === undefined ? null : epoch.toString(),
    status: s.status,
    ready: s.ready,
    code: s.voicePrivacyCode,
    userIds: s.getUserIds(),
    leaf: s.ownLeafIndex,
  };
}

const commands = {
  hello: () => ({ version: davey.VERSION, protocol: davey.DAVE_PROTOCOL_VERSION, debugBuild: davey.DEBUG_BUILD }),
  create: ({ user, channel, version }) => {
    const keyPair = davey.generateP256Keypair();
    const s = new davey.DAVESession(version, user, channel, keyPair);
    sessions.set(user, { s, keyPair });
    return { publicKey: b64(keyPair.public) };
  },
  reinit: ({ user, channel, version }) => {
    const entry = sessions.get(user);
    const keyPair = davey.generateP256Keypair();
    entry.s.reinit(version, user, channel, keyPair);
    entry.keyPair = keyPair;
    return { publicKey: b64(keyPair.public) };
  },
  reset: ({ user }) => {
    session(user).s.reset();
    return {};
  },
  drop: ({ user }) => {
    sessions.delete(user);
    return {};
  },
  externalSender: ({ user, data }) => {
    session(user).s.setExternalSender(bytes(data));
    return {};
  },
  keyPackage: ({ user }) => ({ data: b64(session(user).s.getSerializedKeyPackage()) }),
  proposals: ({ user, operation, data, recognized }) => {
    const result = session(user).s.processProposals(operation, bytes(data), recognized);
    return { commit: b64(result.commit), welcome: b64(result.welcome) };
  },
  commit: ({ user, data }) => {
    session(user).s.processCommit(bytes(data));
    return {};
  },
  welcome: ({ user, data }) => {
    session(user).s.processWelcome(bytes(data));
    return {};
  },
  state: ({ user }) => state(session(user).s),
  encrypt: ({ user, data }) => ({ data: b64(session(user).s.encryptOpus(bytes(data))) }),
  // mediaType: 0 audio, 1 video; codec: davey's Codec numbering (1 Opus, 2 VP8, 3 VP9, 4 H264, 5 H265, 6 AV1).
  encryptMedia: ({ user, mediaType, codec, data }) => ({ data: b64(session(user).s.encrypt(mediaType, codec, bytes(data))) }),
  decrypt: ({ user, from, data, mediaType }) =>
    ({ data: b64(session(user).s.decrypt(from, mediaType ?? davey.MediaType.AUDIO, bytes(data))) }),
  decryptionStats: ({ user, from }) => session(user).s.getDecryptionStats(from, davey.MediaType.AUDIO),
  passthrough: ({ user, enabled, expiry }) => {
    session(user).s.setPassthroughMode(enabled, expiry);
    return {};
  },
  canPassthrough: ({ user, from }) => ({ value: session(user).s.canPassthrough(from) }),
  verificationCode: async ({ user, other }) => ({ code: await session(user).s.getVerificationCode(other) }),
  displayableCode: ({ data, length, groupSize }) => ({ code: davey.generateDisplayableCode(bytes(data), length, groupSize) }),
};

const input = readline.createInterface({ input: process.stdin, terminal: false });
let queue = Promise.resolve();
input.on('line', (line) => {
  // Answers keep request order even when a command is asynchronous.
  queue = queue.then(async () => {
    let request;
    try {
      request = JSON.parse(line);
      const handler = commands[request.cmd];
      if (!handler) throw new Error(`unknown command ${request.cmd}`);
      const result = await handler(request);
      process.stdout.write(JSON.stringify({ id: request.id, ok: true, ...result }) + '\n');
    } catch (error) {
      process.stdout.write(JSON.stringify({ id: request?.id ?? null, ok: false, error: String(error?.message ?? error) }) + '\n');
    }
  });
});
input.on('close', () => queue.then(() => process.exit(0)));
