<?php
// A webhook receiver for the tests, run with PHP's built-in server (`php -S host:port receiver.php`):
// it verifies each POST with the kit's WebhookSignature and appends what it got to VS3D_WEBHOOK_LOG
// as one JSON line. 200 when the signature verifies, 401 when not; the first VS3D_WEBHOOK_FAIL_FIRST
// requests are answered 500 (after being verified and recorded), as a receiver that is down.
declare(strict_types=1);

require __DIR__ . '/../../../docs/laravel/src/WebhookSignature.php';

use VisionS3d\WebhookSignature;

if ($_SERVER['REQUEST_METHOD'] !== 'POST') {
    http_response_code(405);
    echo 'POST only';
    return;
}
$log = (string) getenv('VS3D_WEBHOOK_LOG');
$body = (string) file_get_contents('php://input');
$problem = WebhookSignature::problem(
    (string) getenv('VS3D_WEBHOOK_SECRET'),
    $body,
    $_SERVER['HTTP_X_VS3D_SIGNATURE'] ?? null,
    $_SERVER['HTTP_X_VS3D_TIMESTAMP'] ?? null,
);
$seen = is_file($log) ? count(file($log)) : 0;
$status = $seen < (int) getenv('VS3D_WEBHOOK_FAIL_FIRST') ? 500 : ($problem === null ? 200 : 401);
$result = json_decode($body, true);
file_put_contents($log, json_encode([
    'verified' => $problem === null,
    'problem' => $problem,
    'answered' => $status,
    'idempotency_key' => $_SERVER['HTTP_IDEMPOTENCY_KEY'] ?? null,
    'event' => $_SERVER['HTTP_X_VS3D_EVENT'] ?? null,
    'task_id' => is_array($result) ? ($result['task_id'] ?? null) : null,
    'status' => is_array($result) ? ($result['status'] ?? null) : null,
]) . "\n", FILE_APPEND | LOCK_EX);
http_response_code($status);
header('Content-Type: application/json');
echo json_encode(['received' => $status === 200]);
