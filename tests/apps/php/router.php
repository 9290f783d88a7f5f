<?php
// The reference contract on PHP's native sessions (PHPSESSID), for
// `php -S 127.0.0.1:PORT router.php`; where sessions live is PHP's own
// setting: session.save_handler=files with a save path per node (each
// node's disk, like local memory) or session.save_handler=redis.
$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
header('X-Served-By: ' . (getenv('SESSIM_NAME') ?: 'php'));
header('Content-Type: text/plain; charset=utf-8');
if ($path === '/health') {
    echo 'ok';
    return true;
}
if ($path !== '/set-session' && $path !== '/get-session') {
    http_response_code(404);
    echo 'not found';
    return true;
}
session_start();
if ($path === '/set-session') {
    if (!isset($_GET['sessionVal'])) {
        http_response_code(400);
        echo 'missing sessionVal';
        return true;
    }
    $_SESSION['sessionVal'] = $_GET['sessionVal'];
}
echo $_SESSION['sessionVal'] ?? '';
return true;
