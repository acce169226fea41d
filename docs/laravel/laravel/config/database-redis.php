<?php
// Add this connection to 'redis' in config/database.php. The converter writes `task:<id>:progress`
// and `task:<id>:last_progress` without any prefix; Laravel's default connections prefix every key
// (and, with phpredis, every channel) with REDIS_PREFIX (`laravel_database_`), so they would miss both.
return [
    'vision-s3d' => [
        'url' => env('VS3D_REDIS_URL'),
        'host' => env('VS3D_REDIS_HOST', env('REDIS_HOST', '127.0.0.1')),
        'port' => env('VS3D_REDIS_PORT', env('REDIS_PORT', '6379')),
        'password' => env('VS3D_REDIS_PASSWORD', env('REDIS_PASSWORD')),
        'database' => env('VS3D_REDIS_DB', '0'),
        'read_write_timeout' => -1, // a subscriber waits for messages indefinitely
        'options' => ['prefix' => ''],
    ],
];
