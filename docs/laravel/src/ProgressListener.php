<?php
declare(strict_types=1);

namespace VisionS3d;

use Redis;

/**
 * `processing:listen-progress`: subscribes to every task's progress channel (`task:<id>:progress`)
 * and hands each message to $broadcast — in Laravel, a ShouldBroadcastNow event on the private
 * channel `tenant.{tenantId}.files`, which Reverb pushes to the user's browser.
 *
 * The Redis-prefix trap: Laravel's Redis connections prefix every key (and, with phpredis, every
 * channel) with REDIS_PREFIX (`laravel_database_` by default), so `task:<id>:last_progress` and the
 * progress channels are missed. Use a connection with an empty prefix for the converter's keys
 * (config/database.php, connection `vision-s3d`), as this class does with OPT_PREFIX ''.
 */
final class ProgressListener
{
    public function __construct(private readonly string $host = '127.0.0.1', private readonly int $port = 6379)
    {
    }

    public function connect(): Redis
    {
        $redis = new Redis();
        $redis->connect($this->host, $this->port);
        $redis->setOption(Redis::OPT_PREFIX, '');
        return $redis;
    }

    /** The channel a tenant's users listen on (routes/channels.php authorises it). */
    public static function tenantChannel(string $tenantId): string
    {
        return "tenant.{$tenantId}.files";
    }

    /** The last progress message of a task, for a page that (re)connects mid-task (1 h TTL). */
    public function lastProgress(string $taskId): ?array
    {
        $raw = $this->connect()->get("task:{$taskId}:last_progress");
        if (!is_string($raw)) {
            return null;
        }
        $decoded = json_decode($raw, true);
        return is_array($decoded) ? $decoded : null;
    }

    /**
     * Blocks, calling $broadcast(tenant channel, progress message) for every message. $stop, when
     * given, ends the subscription after a message for which it returns true.
     * @param callable(string, array<string, mixed>): void $broadcast
     * @param null|callable(array<string, mixed>): bool $stop
     */
    public function listen(callable $broadcast, ?callable $stop = null): void
    {
        $redis = $this->connect();
        $redis->setOption(Redis::OPT_READ_TIMEOUT, -1);
        try {
            $redis->psubscribe(['task:*:progress'], function (Redis $r, string $pattern, string $channel, string $raw) use ($broadcast, $stop): void {
                $message = json_decode($raw, true);
                if (!is_array($message) || !isset($message['tenant_id'])) {
                    return;
                }
                $broadcast(self::tenantChannel((string) $message['tenant_id']), $message);
                if ($stop !== null && $stop($message)) {
                    // phpredis 5 does not leave psubscribe() on punsubscribe() from inside the
                    // callback; an exception is the way out, and the connection is dropped with it.
                    throw new StopListening();
                }
            });
        } catch (StopListening) {
            $redis->close();
        }
    }
}
