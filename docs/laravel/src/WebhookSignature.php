<?php
declare(strict_types=1);

namespace VisionS3d;

/**
 * Verifies a Vision S3D webhook before anything reads its body.
 *
 * The converter signs each POST: `X-VS3D-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>`
 * with `X-VS3D-Timestamp` (unix seconds) in the signed text, so a captured request cannot be replayed
 * later (the timestamp is checked against a tolerance) nor its body changed (the HMAC covers it).
 * Compare in constant time (hash_equals) and over the RAW body: re-encoding parsed JSON changes bytes.
 * Several secrets may be given during a rotation: the old and the new one both verify.
 */
final class WebhookSignature
{
    public const SIGNATURE_HEADER = 'X-VS3D-Signature';
    public const TIMESTAMP_HEADER = 'X-VS3D-Timestamp';
    /** The result's message_id: the same on every retry of one result (and on the AMQP copy). */
    public const IDEMPOTENCY_HEADER = 'Idempotency-Key';
    public const DEFAULT_TOLERANCE_SECONDS = 300;

    public static function sign(string $secret, int $timestamp, string $rawBody): string
    {
        return 'sha256=' . hash_hmac('sha256', $timestamp . '.' . $rawBody, $secret);
    }

    /**
     * Why the request must be refused, or null when it is genuine.
     *
     * @param string|list<string> $secrets
     */
    public static function problem(string|array $secrets, string $rawBody, ?string $signature, ?string $timestamp, int $toleranceSeconds = self::DEFAULT_TOLERANCE_SECONDS, ?int $now = null): ?string
    {
        if ($signature === null || $signature === '') {
            return 'no ' . self::SIGNATURE_HEADER . ' header';
        }
        if ($timestamp === null || preg_match('/^\d{1,12}$/', $timestamp) !== 1) {
            return 'no valid ' . self::TIMESTAMP_HEADER . ' header';
        }
        if (abs(($now ?? time()) - (int) $timestamp) > $toleranceSeconds) {
            return 'timestamp outside the tolerance of ' . $toleranceSeconds . ' s (a replayed or delayed request)';
        }
        foreach ((array) $secrets as $secret) {
            if ($secret !== '' && hash_equals(self::sign($secret, (int) $timestamp, $rawBody), $signature)) {
                return null;
            }
        }
        return 'signature does not match';
    }

    /** @param string|list<string> $secrets */
    public static function verify(string|array $secrets, string $rawBody, ?string $signature, ?string $timestamp, int $toleranceSeconds = self::DEFAULT_TOLERANCE_SECONDS, ?int $now = null): bool
    {
        return self::problem($secrets, $rawBody, $signature, $timestamp, $toleranceSeconds, $now) === null;
    }
}
