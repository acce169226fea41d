<?php
declare(strict_types=1);

use Illuminate\Database\Migrations\Migration;
use Illuminate\Database\Schema\Blueprint;
use Illuminate\Support\Facades\Schema;

// The result consumer's memory of handled message ids (ProcessedMessages).
return new class extends Migration {
    public function up(): void
    {
        Schema::create('vs3d_processed_messages', static function (Blueprint $table): void {
            $table->string('message_id', 64)->primary();
            $table->string('task_id', 64)->index();
            $table->timestampTz('processed_at')->useCurrent();
        });
    }

    public function down(): void
    {
        Schema::dropIfExists('vs3d_processed_messages');
    }
};
