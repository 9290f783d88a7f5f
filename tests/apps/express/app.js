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
// /session/remove?name=, /login?user=, /logout, /health. And a JSON login
// API, as single-page apps have it: POST /api/login {"username", "password"}
// regenerates the session and answers {"token"}, a random token kept in the
// session; GET/PUT /api/cart and POST /api/logout need it as a bearer token
// (401 without it, or when the session that holds it is not there). The
// password is --password (default wonderland). Nothing in it waits on
// purpose: sessim makes writes overlap by sending them together.
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
  // The JSON login API.
  const crypto = require('crypto');
  const bearer = (req) => {
    const header = req.get('Authorization') || '';
    const token = header.startsWith('Bearer ') ? header.slice(7) : '';
    const expected = req.session.token || '';
    return token.length > 0 && token.length === expected.length &&
      crypto.timingSafeEqual(Buffer.from(token), Buffer.from(expected));
  };
  const json = (res, status, body) => res.status(status).json(body);
  app.post('/api/login', express.json(), (req, res, next) => {
    const body = req.body || {};
    if (body.password !== option('password', 'wonderland') || !body.username) {
      return json(res, 401, { error: 'wrong user or password' });
    }
    return req.session.regenerate((error) => {
      if (error) return next(error);
      req.session.user = body.username;
      req.session.token = crypto.randomBytes(24).toString('base64url');
      return req.session.save((saveError) =>
        (saveError ? next(saveError) : json(res, 200, { token: req.session.token, user: body.username })));
    });
  });
  app.get('/api/cart', (req, res) => {
    if (!bearer(req)) return json(res, 401, { error: 'no valid bearer token for this session' });
    return json(res, 200, { user: req.session.user, cart: req.session.cart || null });
  });
  app.put('/api/cart', express.text({ type: '*/*' }), (req, res) => {
    if (!bearer(req)) return json(res, 401, { error: 'no valid bearer token for this session' });
    req.session.cart = req.body;
    return json(res, 200, { user: req.session.user, cart: req.session.cart });
  });
  app.post('/api/logout', (req, res, next) => {
    if (!bearer(req)) return json(res, 401, { error: 'no valid bearer token for this session' });
    return req.session.destroy((error) => {
      if (error) return next(error);
      res.clearCookie('connect.sid');
      return json(res, 200, { user: null });
    });
  });
  app.listen(port, '127.0.0.1');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
