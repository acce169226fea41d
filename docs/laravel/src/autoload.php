<?php
// The kit's classes without Composer: Laravel apps load them through composer's PSR-4 autoload
// ("VisionS3d\\": "vision-s3d/src/"); the CLI scripts in bin/ and the tests use this file.
declare(strict_types=1);

require_once getenv('PHP_AMQPLIB_AUTOLOAD') ?: 'PhpAmqpLib/autoload.php';

spl_autoload_register(static function (string $class): void {
    $prefix = 'VisionS3d\\';
    if (str_starts_with($class, $prefix)) {
        $file = __DIR__ . '/' . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
        if (is_file($file)) {
            require $file;
        }
    }
});
