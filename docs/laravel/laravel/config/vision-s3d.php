<?php
// config/vision-s3d.php — the converter's connection settings, from .env.
return [
    'amqp' => [
        'host' => env('VS3D_AMQP_HOST', '127.0.0.1'),
        'port' => (int) env('VS3D_AMQP_PORT', 5672),
        'user' => env('VS3D_AMQP_USER', 'guest'),
        'password' => env('VS3D_AMQP_PASSWORD', 'guest'),
        'vhost' => env('VS3D_AMQP_VHOST', '/'),
    ],
    // The queue the converter sends this application's results to (the task's webhook.callback_queue).
    'results_queue' => env('VS3D_RESULTS_QUEUE', 'vision-s3d.results'),
    // A Redis connection from config/database.php whose 'prefix' is '' (see database-redis.php).
    'redis_connection' => env('VS3D_REDIS_CONNECTION', 'vision-s3d'),
    'bucket' => env('VS3D_BUCKET', env('AWS_BUCKET')),
    // Verifies signed webhooks: the converter's WEBHOOK_SECRET (or this tenant's WEBHOOK_SECRETS
    // entry). During a rotation list the old and the new one, comma-separated.
    'webhook_secrets' => array_values(array_filter(explode(',', (string) env('VS3D_WEBHOOK_SECRETS', '')))),
];
