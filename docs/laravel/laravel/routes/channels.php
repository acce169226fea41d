<?php
// routes/channels.php — only members of a tenant hear its files' progress.
use Illuminate\Support\Facades\Broadcast;

Broadcast::channel('tenant.{tenantId}.files', static function ($user, string $tenantId): bool {
    return $user->tenant_id === $tenantId;
});
