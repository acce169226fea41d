<?php
// app/Http/Controllers/VisionS3dWebhookController.php — receives a task's signed result.
// Route (routes/api.php, so no CSRF middleware and no session):
//     Route::post('/webhooks/vision-s3d', \App\Http\Controllers\VisionS3dWebhookController::class);
// The task names it: "webhook": {"url": "https://app.example.com/api/webhooks/vision-s3d"}.
declare(strict_types=1);

namespace App\Http\Controllers;

use Illuminate\Http\JsonResponse;
use Illuminate\Http\Request;
use Illuminate\Support\Facades\DB;
use Illuminate\Support\Facades\Log;
use VisionS3d\FileResults;
use VisionS3d\ProcessedMessages;
use VisionS3d\WebhookSignature;

final class VisionS3dWebhookController
{
    public function __invoke(Request $request): JsonResponse
    {
        // The raw bytes, before anything parses them: the signature covers exactly these.
        $body = $request->getContent();
        $problem = WebhookSignature::problem(
            (array) config('vision-s3d.webhook_secrets'),
            $body,
            $request->header(WebhookSignature::SIGNATURE_HEADER),
            $request->header(WebhookSignature::TIMESTAMP_HEADER),
        );
        if ($problem !== null) {
            Log::warning('vision-s3d webhook refused', ['reason' => $problem, 'ip' => $request->ip()]);
            return new JsonResponse(['error' => $problem], 401);
        }
        /** @var array<string, mixed> $result */
        $result = json_decode($body, true, 64, JSON_THROW_ON_ERROR);
        // Retries carry the same Idempotency-Key (= the AMQP result's message_id): write once.
        $pdo = DB::connection()->getPdo();
        (new ProcessedMessages($pdo))->once(
            (string) $request->header(WebhookSignature::IDEMPOTENCY_HEADER),
            (string) $result['task_id'],
            static fn (\PDO $db) => FileResults::record($result, $db),
        );
        // Answer fast (any 2xx ends the delivery); slow work belongs in a queued job.
        return new JsonResponse(['received' => true], 200);
    }
}
