<?php
// A PHP app on PHP's native sessions, written as the PHP manual shows:
// session_regenerate_id(true) on login, and on logout $_SESSION emptied,
// the cookie deleted and session_destroy(). Nothing here knows about sessim.
// Run with `php -S 127.0.0.1:PORT app.php`; where sessions live, how long
// they last and whether unknown ids are refused (session.use_strict_mode)
// are PHP's own settings, given with -d. Endpoints (profile: app.profile.yaml):
// /session/set?name=&value=, /session/get?name= (404 when not set),
// /session/remove?name=, /login?user=, /logout, /health.
$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
header('X-Served-By: ' . (getenv('SESSIM_NAME') ?: 'php'));
header('Content-Type: text/plain; charset=utf-8');

function answer(int $status, string $body): bool {
    http_response_code($status);
    echo $body;
    return true;
}

if ($path === '/health') return answer(200, 'ok');
session_start();
switch ($path) {
    case '/session/set':
        if (!isset($_GET['name'], $_GET['value'])) return answer(400, 'missing name or value');
        $_SESSION[$_GET['name']] = $_GET['value'];
        return answer(200, $_GET['value']);
    case '/session/get':
        $name = $_GET['name'] ?? '';
        if (!array_key_exists($name, $_SESSION)) return answer(404, 'not set');
        return answer(200, (string) $_SESSION[$name]);
    case '/session/remove':
        unset($_SESSION[$_GET['name'] ?? '']);
        return answer(200, 'removed');
    case '/login':
        if (!isset($_GET['user'])) return answer(400, 'missing user');
        // The manual: a new id on a change of privilege, the old one deleted.
        session_regenerate_id(true);
        $_SESSION['user'] = $_GET['user'];
        return answer(200, $_GET['user']);
    case '/logout':
        // The manual's session_destroy() example.
        $_SESSION = [];
        $params = session_get_cookie_params();
        setcookie(session_name(), '', time() - 42000, $params['path'], $params['domain'],
                  $params['secure'], $params['httponly']);
        session_destroy();
        return answer(200, 'logged out');
}
return answer(404, 'not found');
