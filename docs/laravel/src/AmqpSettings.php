<?php
declare(strict_types=1);

namespace VisionS3d;

use PhpAmqpLib\Connection\AMQPStreamConnection;

/** Where RabbitMQ is. In Laravel: config('vision-s3d.amqp'), filled from .env. */
final class AmqpSettings
{
    public function __construct(
        public readonly string $host = '127.0.0.1',
        public readonly int $port = 5672,
        public readonly string $user = 'guest',
        public readonly string $password = 'guest',
        public readonly string $vhost = '/',
    ) {
    }

    /** @param array<string, string|false> $env */
    public static function fromEnv(array $env): self
    {
        return new self(
            (string) ($env['VS3D_AMQP_HOST'] ?? '127.0.0.1'),
            (int) ($env['VS3D_AMQP_PORT'] ?? 5672),
            (string) ($env['VS3D_AMQP_USER'] ?? 'guest'),
            (string) ($env['VS3D_AMQP_PASSWORD'] ?? 'guest'),
            (string) ($env['VS3D_AMQP_VHOST'] ?? '/'),
        );
    }

    public function connect(): AMQPStreamConnection
    {
        // heartbeat keeps a long-running listener's connection alive through idle hours
        return new AMQPStreamConnection($this->host, $this->port, $this->user, $this->password, $this->vhost, heartbeat: 30);
    }
}
