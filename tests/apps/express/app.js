// An Express app with express-session, written the usual way (its README's
// login with regenerate(), logout with destroy()), for sessim's tests:
//
//   node app.js --port P --name N [--redis-url redis://...] [--session-timeout S]
//               [--logout destroy|regenerate] [--modules DIR] [--redis-client readme]
//
// --logout regenerate: the README's logout (user cleared, saved, then
// regenerate()) instead of destroy(). --modules DIR: take express and its
// packages from DIR/node_modules (tests/apps/express5 holds Express 5).
// --redis-client readme: connect-redis's README client exactly, with no
// 'error' listener (node-redis then ends the process when Redis goes away).
//
// Sessions in express-session's MemoryStore (each process its own) or, with
// --redis-url, in Redis through connect-redis (the whole session saved on
// every write). Endpoints (profile: express.profile.yaml):
// /session/set?name=&value=, /session/get?name= (404 when not set),
// /session/remove?name=, /login?user=, /logout, /health. Nothing in it
// waits on purpose: sessim makes writes overlap by sending them together.
'use strict';

const path = require('path');

function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && at + 1 < process.argv.length ? process.argv[at + 1] : fallback;
}

const modules = path.resolve(option('modules', __dirname), 'node_modules');
const need = (name) => require(path.join(modules, name));
const express = need('express');
const session = need('express-session');

async function main() {
  const port = Number(option('port'));
  const name = option('name', 'express');
  const redisUrl = option('redis-url', '');
  const timeoutS = Number(option('session-timeout', '86400'));

  let store;  // undefined: express-session's MemoryStore
  if (redisUrl) {
    const { createClient } = need('redis');
    const RedisStore = need('connect-redis').default;
    const client = createClient({ url: redisUrl });
    // Without a listener, node-redis's 'error' on a lost connection ends the
    // process; with one it reconnects by itself.
    if (option('redis-client', '') !== 'readme') {
      client.on('error', (error) => console.error(`redis: ${error.message}`));
    }
    await client.connect();
    store = new RedisStore({ client });
  }

  const app = express();
  app.use((req, res, next) => {
    res.set('X-Served-By', name);
    next();
  });
  app.use(session({
    secret: 'sessim-test-secret-shared-by-every-instance',
    resave: false,
    saveUninitialized: false,
    rolling: true,
    store,
    cookie: { maxAge: timeoutS * 1000, httpOnly: true, sameSite: 'lax' },
  }));
  const text = (res, status, body) => res.status(status).type('text/plain').send(body);

  app.get('/health', (req, res) => text(res, 200, 'ok'));
  app.get('/session/set', (req, res) => {
    const { name: key, value } = req.query;
    if (!key || value === undefined) return text(res, 400, 'missing name or value');
    req.session[key] = value;
    return text(res, 200, value);
  });
  app.get('/session/get', (req, res) => {
    const value = req.session[req.query.name];
    return value === undefined ? text(res, 404, 'not set') : text(res, 200, value);
  });
  app.get('/session/remove', (req, res) => {
    delete req.session[req.query.name];
    return text(res, 200, 'removed');
  });
  app.get('/login', (req, res, next) => {
    const user = req.query.user;
    if (!user) return text(res, 400, 'missing user');
    // express-session's README: regenerate the session on login.
    req.session.regenerate((error) => {
      if (error) return next(error);
      req.session.user = user;
      return req.session.save((saveError) => (saveError ? next(saveError) : text(res, 200, user)));
    });
  });
  app.get('/logout', (req, res, next) => {
    if (option('logout', 'destroy') === 'regenerate') {
      // express-session's README: clear the user, save, then regenerate.
      req.session.user = null;
      return req.session.save((error) => {
        if (error) return next(error);
        return req.session.regenerate((regenerateError) => {
          if (regenerateError) return next(regenerateError);
          return text(res, 200, 'logged out');
        });
      });
    }
    return req.session.destroy((error) => {
      if (error) return next(error);
      res.clearCookie('connect.sid');
      return text(res, 200, 'logged out');
    });
  });
  app.listen(port, '127.0.0.1');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
