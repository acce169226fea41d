<?php
declare(strict_types=1);

namespace VisionS3d;

/** Thrown from inside a Redis subscription callback to end ProgressListener::listen(). */
final class StopListening extends \RuntimeException
{
}
